import assert from 'node:assert/strict';
import { test } from 'node:test';
import express from 'express';
import { errorHandler } from './http.ts';
import { NotWrittenError, notWrittenApp } from './not-written.ts';
import { listen } from './testing.ts';

/** A stub as the exercise mode writes one (learn/markers.ts). */
function createSession(): string {
  throw new NotWrittenError('SessionAuth.createSession', '2.2', 'lessons/02-session-auth/README.md#what-this-lesson-adds');
}
const stubLine = 10;

test('the error names the function and the file:line of its stub, from the project root', () => {
  const error = (() => {
    try {
      createSession();
    } catch (caught) {
      return caught as NotWrittenError;
    }
  })();
  assert.ok(error instanceof NotWrittenError);
  assert.equal(error.where, `shared/not-written.test.ts:${stubLine}`);
  assert.equal(error.message, `not written yet: SessionAuth.createSession (shared/not-written.test.ts:${stubLine})`);
  assert.deepEqual(error.toJSON(), { error: error.message, step: '2.2', notes: 'lessons/02-session-auth/README.md#what-this-lesson-adds' });
});

test('the error handler answers a stub with a JSON 501, and so does the app of a stub called at build', async (t) => {
  const app = express();
  app.get('/sync', () => createSession());
  app.get('/async', async () => createSession());
  app.use(errorHandler);
  const server = await listen(app);
  t.after(server.close);
  for (const path of ['/sync', '/async']) {
    const res = await fetch(server.url + path);
    assert.equal(res.status, 501, path);
    assert.match((await res.json()).error, /^not written yet: SessionAuth\.createSession \(shared\/not-written\.test\.ts:\d+\)$/);
  }

  let error: NotWrittenError | undefined;
  try {
    createSession();
  } catch (caught) {
    error = caught as NotWrittenError;
  }
  const fallback = await listen(notWrittenApp(error!));
  t.after(fallback.close);
  const res = await fetch(`${fallback.url}/api/v1/status`);
  assert.equal(res.status, 501);
  assert.equal((await res.json()).step, '2.2');
});
