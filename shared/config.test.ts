import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, configWarnings, loadConfig, maxSessionSeconds, parseSeconds } from './config.ts';
import { makeTempDir } from './temp-dir.ts';

test('an empty environment gives the defaults', () => {
  assert.deepEqual(loadConfig({}), {
    apiHost: '127.0.0.1',
    apiPort: 5000,
    dbPath: 'data/sandbox.db',
    authType: undefined,
    sessionName: '_my_session_id',
    sessionDurationSeconds: 0,
    sessionIdleTimeoutSeconds: 0,
    cookieSecure: false,
  });
});

test('every variable is read from the environment given', () => {
  const config = loadConfig({
    API_HOST: '0.0.0.0',
    API_PORT: '5001',
    DB_PATH: '/tmp/x.db',
    AUTH_TYPE: 'basic_auth',
    SESSION_NAME: 'sid',
    SESSION_DURATION: '60',
    SESSION_IDLE_TIMEOUT: '1.5',
    COOKIE_SECURE: 'true',
  });
  assert.deepEqual(config, {
    apiHost: '0.0.0.0',
    apiPort: 5001,
    dbPath: '/tmp/x.db',
    authType: 'basic_auth',
    sessionName: 'sid',
    sessionDurationSeconds: 60,
    sessionIdleTimeoutSeconds: 1.5,
    cookieSecure: true,
  });
});

test('API_PORT 0 is accepted: the system picks a free port', () => {
  assert.equal(loadConfig({ API_PORT: '0' }).apiPort, 0);
});

test('an API_PORT that is not a port number is a ConfigError naming the variable', () => {
  for (const value of ['abc', '-1', '65536', '50.5', '5000x']) {
    assert.throws(() => loadConfig({ API_PORT: value }), (error: Error) => {
      assert.ok(error instanceof ConfigError, `API_PORT=${value}`);
      assert.match(error.message, /^API_PORT .*"/);
      assert.ok(error.message.includes(`"${value}"`), error.message);
      return true;
    });
  }
});

test('parseSeconds accepts decimals, so checks can use lifetimes under a second', () => {
  assert.equal(parseSeconds('SESSION_DURATION', '0.5'), 0.5);
  assert.equal(parseSeconds('SESSION_DURATION', '60'), 60);
  assert.equal(parseSeconds('SESSION_DURATION', '1.5e2'), 150);
});

test('parseSeconds reads a missing, non-numeric or non-positive value as 0 (no limit)', () => {
  for (const value of ['abc', '', '-1', '0', 'Infinity', '30m', '1_000', '1,5', ' 60', undefined]) {
    assert.equal(parseSeconds('SESSION_DURATION', value), 0, `parseSeconds(${JSON.stringify(value)})`);
  }
});

test('a hexadecimal, binary or octal value is not a number of seconds: no limit, as the course reads it', () => {
  // Number('0x10') is 16; the course's Python int('0x10') refuses it, and so do we.
  for (const value of ['0x10', '0b101', '0o17']) assert.equal(parseSeconds('SESSION_DURATION', value), 0, value);
});

test('a duration or idle timeout above 400 days is a ConfigError naming the variable and the value', () => {
  // 1e13 s is past the last date a Date can hold: logins and sweeps used to throw on it.
  for (const [name, value] of [['SESSION_DURATION', '1e13'], ['SESSION_IDLE_TIMEOUT', '1e13'], ['SESSION_DURATION', '34560001'], ['SESSION_IDLE_TIMEOUT', '1e400']]) {
    assert.throws(() => loadConfig({ [name!]: value }), (error: Error) => {
      assert.ok(error instanceof ConfigError, `${name}=${value}`);
      assert.equal(error.message, `${name} must be at most ${maxSessionSeconds} seconds (400 days), got "${value}"`);
      return true;
    });
  }
  assert.equal(loadConfig({ SESSION_DURATION: String(maxSessionSeconds) }).sessionDurationSeconds, maxSessionSeconds);
});

test('configWarnings names each value that became "no limit" without being a plain whole number', () => {
  for (const value of ['30m', '1_000', '1,5', 'Infinity', '0x10', '-0.5', ' 60']) {
    assert.deepEqual(
      configWarnings({ SESSION_DURATION: value }),
      [`warning: SESSION_DURATION=${JSON.stringify(value)} means no limit, so sessions never expire: give a number of seconds, e.g. SESSION_DURATION=1800`],
      value,
    );
  }
  assert.deepEqual(configWarnings({ SESSION_IDLE_TIMEOUT: '5m' }), [
    'warning: SESSION_IDLE_TIMEOUT="5m" means no limit, so sessions have no idle timeout: give a number of seconds, e.g. SESSION_IDLE_TIMEOUT=1800',
  ]);
});

test('configWarnings is silent for numbers of seconds and for the documented "no limit" values', () => {
  for (const value of [undefined, '', '0', '-1', '60', '1.5', '0.25']) {
    assert.deepEqual(configWarnings({ SESSION_DURATION: value, SESSION_IDLE_TIMEOUT: value }), [], String(value));
  }
});

test('a SESSION_NAME that is not a cookie name is a ConfigError', () => {
  for (const value of ['my session', 'a;b', 'a=b', 'sid,x', 'é']) {
    assert.throws(() => loadConfig({ SESSION_NAME: value }), ConfigError, `SESSION_NAME=${value}`);
  }
  assert.equal(loadConfig({ SESSION_NAME: '__Host-sid.v2' }).sessionName, '__Host-sid.v2');
});

test('COOKIE_SECURE reads true/1 as true and false/0/empty as false', () => {
  assert.equal(loadConfig({ COOKIE_SECURE: 'true' }).cookieSecure, true);
  assert.equal(loadConfig({ COOKIE_SECURE: '1' }).cookieSecure, true);
  assert.equal(loadConfig({ COOKIE_SECURE: 'false' }).cookieSecure, false);
  assert.equal(loadConfig({ COOKIE_SECURE: '0' }).cookieSecure, false);
  assert.equal(loadConfig({ COOKIE_SECURE: '' }).cookieSecure, false);
});

test('any other COOKIE_SECURE value is a ConfigError, not a silent false', () => {
  for (const value of ['yes', 'TRUE', 'on']) {
    assert.throws(() => loadConfig({ COOKIE_SECURE: value }), ConfigError, `COOKIE_SECURE=${value}`);
  }
});

describe('a lesson server at start (lesson 4, run for real)', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  /** Starts lesson 4's server with `env`; resolves with its exit code and output once it exits or printed its banner. */
  function start(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const dbPath = join(makeTempDir('config-test-'), 'sandbox.db');
    const child = spawn(process.execPath, ['--import', 'tsx', 'lessons/04-session-expiry/server.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, API_HOST: '127.0.0.1', API_PORT: '0', DB_PATH: dbPath, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    return new Promise((resolve) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        // The banner, its stop line and the notices after it are printed at once.
        if (stdout.includes('Ctrl-C')) child.kill();
      });
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  test('SESSION_DURATION=1e13 stops it with one line naming the variable (it used to 500 every login)', async () => {
    const { code, stdout, stderr } = await start({ SESSION_DURATION: '1e13' });
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, `error: SESSION_DURATION must be at most ${maxSessionSeconds} seconds (400 days), got "1e13"\n`);
  });

  test('SESSION_DURATION=30m starts it, and the banner says that sessions never expire', async () => {
    const { stdout } = await start({ SESSION_DURATION: '30m' });
    assert.match(stdout, /^Lesson 4 — /);
    assert.match(stdout, /\n {2}warning: SESSION_DURATION="30m" means no limit, so sessions never expire: give a number of seconds, e.g. SESSION_DURATION=1800\n/);
  });
});
