import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError } from '../../shared/config.ts';
import { loadSessionConfig, parseSecrets } from './config.ts';
import { loadOrCreateSecret, resolveSessionSecrets, secretFilePath } from './secret.ts';
import { makeTempDir } from '../../shared/temp-dir.ts';

const dir = makeTempDir('secret-test-');
let folders = 0;
/** A database path in a folder of its own (the secret file goes beside it). */
const freshDbPath = () => join(dir, `case-${++folders}`, 'sandbox.db');
const strong = 'x'.repeat(32);

describe('loadSessionConfig', () => {
  test('an empty environment: no secret, the SQLite store, not production', () => {
    assert.deepEqual(loadSessionConfig({}), { sessionSecrets: [], sessionStore: 'sqlite', production: false });
  });

  test('SESSION_SECRET is a comma-separated list; spaces and empty entries are dropped', () => {
    assert.deepEqual(parseSecrets('new, old ,,'), ['new', 'old']);
    assert.deepEqual(parseSecrets(''), []);
    assert.deepEqual(loadSessionConfig({ SESSION_SECRET: 'a,b' }).sessionSecrets, ['a', 'b']);
  });

  test('SESSION_STORE is sqlite or memory; anything else is a ConfigError naming it', () => {
    assert.equal(loadSessionConfig({ SESSION_STORE: 'memory' }).sessionStore, 'memory');
    assert.equal(loadSessionConfig({ SESSION_STORE: 'sqlite' }).sessionStore, 'sqlite');
    assert.throws(() => loadSessionConfig({ SESSION_STORE: 'redis' }), (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.message, 'SESSION_STORE must be sqlite or memory, got "redis"');
      return true;
    });
  });

  test('NODE_ENV=production, and only that, is production', () => {
    assert.equal(loadSessionConfig({ NODE_ENV: 'production' }).production, true);
    assert.equal(loadSessionConfig({ NODE_ENV: 'development' }).production, false);
  });
});

describe('resolveSessionSecrets', () => {
  test('SESSION_SECRET wins, in its order (the first signs)', () => {
    const config = loadSessionConfig({ SESSION_SECRET: `${strong}1,${strong}2` });
    const { secrets, notices } = resolveSessionSecrets(config, freshDbPath());
    assert.deepEqual(secrets, [`${strong}1`, `${strong}2`]);
    assert.equal(notices.length, 1);
  });

  test('a short SESSION_SECRET works but gets a warning', () => {
    const { secrets, notices } = resolveSessionSecrets(loadSessionConfig({ SESSION_SECRET: 'short' }), freshDbPath());
    assert.deepEqual(secrets, ['short']);
    assert.ok(notices.some((notice) => notice.startsWith('warning:')), notices.join('\n'));
  });

  test('without SESSION_SECRET, a secret is generated once, beside the database, owner-only', () => {
    const dbPath = freshDbPath();
    const first = resolveSessionSecrets(loadSessionConfig({}), dbPath);
    const file = secretFilePath(dbPath);
    assert.equal(file, join(dir, `case-${folders}`, 'session-secret'));
    assert.equal(first.secrets.length, 1);
    assert.ok(first.secrets[0]!.length >= 43, 'at least 256 bits, base64url');
    assert.equal(readFileSync(file, 'utf8').trim(), first.secrets[0]);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(first.notices[0]!, /generated and saved in .*session-secret \(owner-only\)/);

    const second = resolveSessionSecrets(loadSessionConfig({}), dbPath);
    assert.deepEqual(second.secrets, first.secrets, 'the same secret after a restart');
    assert.match(second.notices[0]!, /read from .*session-secret/);
  });

  test('production without SESSION_SECRET is a ConfigError and writes no file', () => {
    const dbPath = freshDbPath();
    assert.throws(
      () => resolveSessionSecrets(loadSessionConfig({ NODE_ENV: 'production' }), dbPath),
      (error: Error) =>
        error instanceof ConfigError && error.message === 'SESSION_SECRET must be set when NODE_ENV=production',
    );
    assert.throws(() => statSync(secretFilePath(dbPath)), /ENOENT/);
  });

  test('production with SESSION_SECRET starts', () => {
    const config = loadSessionConfig({ NODE_ENV: 'production', SESSION_SECRET: strong });
    assert.deepEqual(resolveSessionSecrets(config, freshDbPath()).secrets, [strong]);
  });
});

describe('loadOrCreateSecret', () => {
  test('a secret file readable by others is tightened to owner-only', () => {
    const file = join(dir, 'loose-secret');
    writeFileSync(file, `${strong}\n`);
    chmodSync(file, 0o644);
    assert.deepEqual(loadOrCreateSecret(file), { secret: strong, created: false });
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  test('a file that holds no usable secret is a one-line ConfigError naming the file', () => {
    const file = join(dir, 'empty-secret');
    writeFileSync(file, 'short\n', { mode: 0o600 });
    assert.throws(() => loadOrCreateSecret(file), (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.ok(error.message.startsWith(`cannot use the session secret file ${file}: `), error.message);
      assert.ok(!error.message.includes('\n'));
      return true;
    });
  });
});
