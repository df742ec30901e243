/**
 * `npx tsx scripts/request-path.ts`: the files and functions of the project that run for one
 * authenticated `GET /api/v1/users/me` on lesson 5, from the socket to the JSON, measured
 * with V8's precise coverage rather than read off the code. `docs/architecture.md` shows
 * its output; `scripts/request-path.test.ts` keeps it short.
 *
 * @module
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Session } from 'node:inspector/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../shared/config.ts';
import { database } from '../shared/db.ts';
import { User } from '../shared/models/user.ts';
import { createUserSessionTable } from '../shared/models/user-session.ts';
import { createServer } from '../shared/server.ts';
import { useTemporaryDatabase } from '../shared/testing.ts';
import { createSessionDBApp } from '../lessons/05-db-sessions/app.ts';
import { SessionDBAuth } from '../lessons/05-db-sessions/session-db-auth.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** One function that ran, and how often. */
export interface Hop {
  /** From the project root: `lessons/05-db-sessions/session-db-auth.ts`. */
  file: string;
  /** As V8 names it (`SessionDBAuth.userIdForSessionId` shows as `userIdForSessionId`). */
  name: string;
  count: number;
}

/** GETs `path` with `headers` and resolves with the status once the body has arrived. */
function get(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

/**
 * Every project function (outside `node_modules` and this script) that ran for one
 * `GET /api/v1/users/me` with a live session cookie on lesson 5, in file order.
 *
 * @example
 * (await requestPath()).map((hop) => hop.file); // ['shared/server.ts', ...]
 */
export async function requestPath(): Promise<Hop[]> {
  useTemporaryDatabase();
  createUserSessionTable(database());
  const user = Object.assign(new User(), { email: 'bob@hbtn.io' });
  user.save();
  const auth = new SessionDBAuth(loadConfig({}));
  const sessionId = auth.createSession(user.id);
  const server = createServer(createSessionDBApp(auth)).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/users/me`;
  const headers = { cookie: `_my_session_id=${sessionId}` };
  const session = new Session();
  session.connect();
  try {
    // One request first: what runs once per process (lazy compilation, caches) is not the path.
    if ((await get(url, headers)) !== 200) throw new Error('the warm-up request was refused');
    await session.post('Profiler.enable');
    await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });
    // Taking the coverage resets the counters: what the next take reports ran in between.
    await session.post('Profiler.takePreciseCoverage');
    const status = await get(url, headers);
    const { result } = await session.post('Profiler.takePreciseCoverage');
    if (status !== 200) throw new Error(`GET /api/v1/users/me answered ${status}`);
    const hops: Hop[] = [];
    for (const script of result) {
      if (!script.url.startsWith('file://')) continue;
      const file = relative(projectRoot, fileURLToPath(script.url)).split('\\').join('/');
      if (file.startsWith('..') || file.includes('node_modules') || file.startsWith('scripts/')) continue;
      for (const fn of script.functions) {
        const range = fn.ranges[0];
        // The module's own top level (the range from offset 0) ran when it was loaded, not now.
        if (!range || range.count === 0 || range.startOffset === 0) continue;
        hops.push({ file, name: fn.functionName || '(anonymous)', count: range.count });
      }
    }
    return hops.sort((a, b) => a.file.localeCompare(b.file));
  } finally {
    session.disconnect();
    server.close();
    server.closeAllConnections();
  }
}

// Run as a script: print the files, each with the functions that ran in it.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const hops = await requestPath();
  const files = [...new Set(hops.map((hop) => hop.file))];
  console.log(`GET /api/v1/users/me with a session cookie, lesson 5: ${files.length} files, ${hops.length} functions`);
  for (const [index, file] of files.entries()) {
    const names = hops.filter((hop) => hop.file === file).map((hop) => hop.name);
    console.log(`${index + 1}. ${file}: ${names.join(', ')}`);
  }
}
