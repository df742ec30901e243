/**
 * The servers the runner, the fuzz and the bench start (checks/server.ts) keep to the users
 * they seed: on an empty database they create no demo user, whatever the shell says.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { LessonServer, makeTempDir, removeTempDir } from './server.ts';

test("a runner's server creates no demo user on an empty database, even with DEMO_USER=true in the shell", async (t) => {
  const dir = makeTempDir();
  const saved = process.env.DEMO_USER;
  process.env.DEMO_USER = 'true';
  const server = await LessonServer.start({ entry: 'lessons/00-users-api/server.ts', env: {}, dbPath: join(dir, 'empty.db') });
  t.after(async () => {
    await server.stop();
    if (saved === undefined) delete process.env.DEMO_USER;
    else process.env.DEMO_USER = saved;
    removeTempDir(dir);
  });
  const res = await fetch(`${server.url}/api/v1/stats`);
  assert.deepEqual(await res.json(), { users: 0 });
});
