/**
 * Every shell example of the README, the lesson notes and the guides, run against the lesson
 * servers it names (see `scripts/transcripts.ts` for how a block shows its answers).
 *
 * @module
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { projectRoot } from '../checks/server.ts';
import { matchesShown, parseTranscripts, runTranscripts, TranscriptSyntaxError } from './transcripts.ts';

/** The README, every lesson folder's notes and every guide: new lessons are picked up by themselves. */
function markdownFiles(): string[] {
  const lessons = readdirSync(join(projectRoot, 'lessons'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^\d\d-/.test(entry.name))
    .map((entry) => `lessons/${entry.name}/README.md`);
  const guides = readdirSync(join(projectRoot, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`);
  return ['README.md', ...lessons.sort(), ...guides.sort()];
}

const missing = ['bash', 'curl'].filter((tool) => spawnSync(tool, ['--version']).error);
const skip = missing.length ? `needs ${missing.join(' and ')} (sudo apt-get install ${missing.join(' ')})` : false;

test('"..." stands for any JSON string, ... for anything; the rest is literal', () => {
  assert.ok(matchesShown('{"id":"...","email":"bob@hbtn.io",...}', '{"id":"3c70","email":"bob@hbtn.io","first_name":"Bob"}'));
  assert.ok(matchesShown('_my_session_id=...; Path=/; HttpOnly', '_my_session_id=AJhH; Path=/; HttpOnly'));
  assert.ok(!matchesShown('{"id":"...","email":"bob@hbtn.io"}', '{"id":"3c70","email":"bob@hbtn.io","first_name":"Bob"}'));
  assert.ok(!matchesShown('{"error":"Forbidden"}', '{"error":"Unauthorized"}'));
  assert.ok(!matchesShown('{"id":"..."}', '{"id":3}'), '"..." is a string');
  assert.ok(!matchesShown('a.b', 'axb'), 'no other regular expression syntax');
});

test('a block is read as servers to start, or commands with the answer of each curl', () => {
  const blocks = parseTranscripts(
    [
      '```sh',
      'npm install',
      'SESSION_DURATION=10 API_PORT=5001 npm run lesson:4   # a remark',
      '# Lesson 4 — Session expiry: listening on http://127.0.0.1:5001',
      '```',
      '```sh',
      'npm run check -- 4',
      '```',
      '```sh',
      "curl -i -c jar -d 'email=bob@hbtn.io' \\",
      '  http://127.0.0.1:5001/api/v1/auth_session/login   # logs in',
      '# 200',
      '# Set-Cookie: _my_session_id=...; Max-Age=10; Path=/',
      '# {"email":"bob@hbtn.io",...}',
      'cp jar old-jar',
      'curl -b jar http://127.0.0.1:5001/api/v1/users/me',
      '# 403 {"error":"Forbidden"}',
      '```',
    ].join('\n'),
  );
  assert.deepEqual(blocks[0], {
    kind: 'servers',
    line: 2,
    starts: [{ line: 3, lesson: 4, env: { SESSION_DURATION: '10' }, port: 5001 }],
    prints: [{ line: 4, text: 'Lesson 4 — Session expiry: listening on http://127.0.0.1:5001' }],
  });
  assert.equal(blocks.length, 2, 'npm run check is not run');
  const shell = blocks[1]!;
  assert.equal(shell.kind, 'shell');
  if (shell.kind !== 'shell') return;
  assert.deepEqual(shell.curls, [
    {
      line: 10,
      command: "curl -i -c jar -d 'email=bob@hbtn.io' http://127.0.0.1:5001/api/v1/auth_session/login",
      status: 200,
      headers: [{ name: 'Set-Cookie', value: '_my_session_id=...; Max-Age=10; Path=/' }],
      body: '{"email":"bob@hbtn.io",...}',
    },
    { line: 16, command: 'curl -b jar http://127.0.0.1:5001/api/v1/users/me', status: 403, headers: [], body: '{"error":"Forbidden"}' },
  ]);
});

test('a curl without its answer, a prose answer, or headers without -i are refused', () => {
  const block = (...lines: string[]) => ['```sh', ...lines, '```'].join('\n');
  assert.throws(() => parseTranscripts(block('curl http://127.0.0.1:5000/')), TranscriptSyntaxError);
  assert.throws(() => parseTranscripts(block('curl http://127.0.0.1:5000/', "# 200 and Bob's JSON")), /JSON body or nothing/);
  assert.throws(() => parseTranscripts(block('curl http://127.0.0.1:5000/', '# 200', '# Cache-Control: no-store')), /only with -i/);
  assert.throws(() => parseTranscripts(block('npm run lesson:1', 'npm run user:add -- a b')), /only "npm run lesson:N" lines/);
});

describe('the transcripts of the notes and guides', { concurrency: 3, skip }, () => {
  test('a transcript that shows a wrong answer fails, naming the line and what came back', async () => {
    const failures = await runTranscripts(
      'example.md',
      ['```sh', 'npm run lesson:0', '```', '```sh', 'curl http://127.0.0.1:5000/api/v1/status', '# 404 {"status":"KO"}', '```'].join('\n'),
    );
    assert.deepEqual(failures, ['example.md:5: curl http://127.0.0.1:5000/api/v1/status\n  got status 200, not 404; body {"status":"OK"}, not {"status":"KO"}']);
  });

  for (const file of markdownFiles()) {
    test(file, async () => {
      const failures = await runTranscripts(file);
      assert.deepEqual(failures, [], failures.join('\n'));
    });
  }
});
