/**
 * The request path stays short (issue: "a request a learner can follow"): one authenticated
 * `GET /api/v1/users/me` on lesson 5 runs code in the files docs/architecture.md lists, and
 * in no other; no earlier lesson's app and no lesson that adds nothing to it is on the way.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestPath } from './request-path.ts';

test("lesson 5's GET /users/me runs in exactly the files docs/architecture.md lists", async () => {
  const files = [...new Set((await requestPath()).map((hop) => hop.file))];
  assert.deepEqual(files, [
    'lessons/01-basic-auth/auth.ts',
    'lessons/01-basic-auth/guard.ts',
    'lessons/01-basic-auth/views.ts',
    'lessons/02-session-auth/session-auth.ts',
    // The playground's test for its own requests' header (it mirrors Set-Cookie for them).
    'lessons/03-session-login/playground.ts',
    'lessons/04-session-expiry/session-exp-auth.ts',
    'lessons/05-db-sessions/session-db-auth.ts',
    'shared/db.ts',
    'shared/http.ts',
    'shared/models/base.ts',
    'shared/models/user-session.ts',
    'shared/models/user.ts',
    'shared/server.ts',
  ]);
});
