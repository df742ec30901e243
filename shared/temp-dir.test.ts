import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeTempDir, removeTempDir } from './temp-dir.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const url = (path: string) => pathToFileURL(join(root, path)).href;

/**
 * Runs `node <args>` with its temporary directory in a folder of its own; once it printed
 * `ready`, sends it `signal`; resolves with how it ended and what is left in that folder.
 */
async function runAndStop(args: string[], signal: NodeJS.Signals) {
  const tmp = makeTempDir('temp-dir-test-');
  const child = spawn(process.execPath, args, { cwd: root, env: { PATH: process.env.PATH, TMPDIR: tmp } });
  let stdout = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    if (stdout.includes('ready')) child.kill(signal);
  });
  const [code, killedBy] = await once(child, 'close');
  // tsx keeps a compile cache of its own in the temporary directory.
  const left = readdirSync(tmp).filter((name) => !name.startsWith('tsx-'));
  return { code, killedBy, stdout, left };
}

const imports = `
  import { makeTempDir } from '${url('checks/server.ts')}';
  import { useTemporaryDatabase } from '${url('shared/testing.ts')}';
  import { makeTempDir as makeOne } from '${url('shared/temp-dir.ts')}';
`;

/** Makes temporary folders the three ways the project does, runs `extra`, says so and waits. */
const holdFolders = (extra = '') => `
  const { file } = useTemporaryDatabase();
  console.log('folders', makeTempDir(), file, makeOne('lesson-5-server-test-'));
  ${extra}
  console.log('ready');
  await new Promise(() => setInterval(() => {}, 1000));
`;

describe('temporary folders go with the process', { concurrency: true }, () => {
  for (const [signal, status] of [['SIGTERM', 143], ['SIGINT', 130], ['SIGHUP', 129]] as const) {
    test(`stopped by ${signal}: the check runner's, the test database's and a test's own folders are removed`, async () => {
      const { code, stdout, left } = await runAndStop(['--import', 'tsx', '--input-type=module', '-e', imports + holdFolders()], signal);
      assert.match(stdout, /^folders /);
      assert.deepEqual(left, [], `left behind: ${left.join(', ')}`);
      assert.equal(code, status, 'it still ends with the status of the signal');
    });
  }

  test('a test run (node --test) stopped by SIGTERM leaves no folder behind', async () => {
    const dir = makeTempDir('temp-dir-test-');
    const file = join(dir, 'hang.test.ts');
    writeFileSync(file, `import { test } from 'node:test';\n${imports}\ntest('waits forever', async () => {\n${holdFolders()}\n});\n`);
    const { stdout, left } = await runAndStop(['--import', 'tsx', '--test', file], 'SIGTERM');
    assert.match(stdout, /folders /);
    assert.deepEqual(left, [], `left behind: ${left.join(', ')}`);
  });

  test('when the process has its own SIGTERM handler, that handler decides, and the folders go at exit', async () => {
    const script = imports + holdFolders(`process.once('SIGTERM', () => { console.log('shutting down'); process.exit(0); });`);
    const { code, stdout, left } = await runAndStop(['--import', 'tsx', '--input-type=module', '-e', script], 'SIGTERM');
    assert.equal(code, 0);
    assert.match(stdout, /shutting down/);
    assert.deepEqual(left, []);
  });
});

test('removeTempDir removes a folder at once', () => {
  const dir = makeTempDir('temp-dir-test-');
  assert.ok(existsSync(dir));
  removeTempDir(dir);
  assert.ok(!existsSync(dir));
});
