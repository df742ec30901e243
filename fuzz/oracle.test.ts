import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judge, leakIn } from './oracle.ts';
import type { RawResponse } from './raw-http.ts';

const json = (status: number, body: string): RawResponse => ({
  status,
  headers: [['content-type', 'application/json; charset=utf-8']],
  body: Buffer.from(body),
});
const anonymous = { method: 'GET', authorized: false, guarded: true };

test('leakIn finds stack frames, source positions, paths, error names and database errors', () => {
  assert.equal(leakIn('TypeError: x\n    at Layer.handle (/srv/app/node_modules/router/layer.js:1:2)'), 'a stack frame');
  assert.equal(leakIn('at file:///srv/x.ts:3:4'), 'a stack frame');
  assert.equal(leakIn('see app.ts:12'), 'a source position');
  assert.equal(leakIn('{"error":"cannot open /tmp/x.db"}'), 'an internal path');
  assert.equal(leakIn('RangeError: Maximum call stack'), 'an error name');
  assert.equal(leakIn('SQLITE_CONSTRAINT_UNIQUE'), 'a database error');
  assert.equal(leakIn('{"error":"Not found"}'), null);
  assert.equal(leakIn('{"error":"wrong password"}'), null);
});

test('judge accepts JSON errors, the public answers, and empty HEAD and 204 answers', () => {
  assert.deepEqual(judge(json(404, '{"error":"Not found"}'), anonymous), []);
  assert.deepEqual(judge(json(401, '{"message":"Invalid credentials"}'), anonymous), []);
  assert.deepEqual(judge(json(200, '{"status":"OK"}'), anonymous), []);
  assert.deepEqual(judge({ status: 404, headers: [['content-type', 'application/json']], body: Buffer.alloc(0) }, { ...anonymous, method: 'HEAD' }), []);
  assert.deepEqual(judge({ status: 204, headers: [['allow', 'GET']], body: Buffer.alloc(0) }, anonymous), []);
  assert.deepEqual(judge(json(200, '[{"id":"1","email":"a@b.c"}]'), { ...anonymous, guarded: false }), []);
});

test('judge names every broken rule', () => {
  assert.deepEqual(judge(json(500, '{"error":"Internal Server Error"}'), anonymous), ['5xx: 500']);
  const html = { status: 404, headers: [['content-type', 'text/html']] as [string, string][], body: Buffer.from('<html>') };
  assert.deepEqual(judge(html, anonymous), ['404 with Content-Type text/html, not JSON', '404 with a body that is not JSON: "<html>"']);
  assert.deepEqual(judge(json(400, '{"oops":1}'), anonymous), ['400 with JSON that has no "error" (or "message") string: {"oops":1}']);
  assert.deepEqual(judge({ status: 417, headers: [], body: Buffer.alloc(0) }, anonymous), ['417 with Content-Type (none), not JSON', '417 with a body that is not JSON: ""']);
  assert.deepEqual(judge(json(405, '{"error":"Method Not Allowed"}'), anonymous), ['405 without an Allow header']);
  assert.match(judge(json(400, '{"error":"Error: boom"}'), anonymous)[0]!, /^an error name in the body/);
  assert.match(judge(json(200, '[{"id":"1","email":"a@b.c"}]'), anonymous)[0]!, /^200 without credentials, with data/);
  assert.deepEqual(judge(json(200, '[{"id":"1"}]'), { ...anonymous, authorized: true }), []);
});
