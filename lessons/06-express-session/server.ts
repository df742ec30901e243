/**
 * `npm run lesson:6`: the library way. express-session keeps the sessions (in SQLite unless
 * `SESSION_STORE=memory`), signed with `SESSION_SECRET` or a generated secret.
 *
 * @module
 */
import type { Config } from '../../shared/config.ts';
import { database } from '../../shared/db.ts';
import { runLesson } from '../../shared/server.ts';
import { pickAuth } from '../01-basic-auth/app.ts';
import { SessionAuth as HandBuiltSessionAuth } from '../02-session-auth/session-auth.ts';
import { createApp as createHandBuiltApp } from '../04-session-expiry/app.ts';
import { authTypes, createApp, createSessionStore } from './app.ts';
import { loadSessionConfig, type SessionConfig } from './config.ts';
import { resolveSessionSecrets } from './secret.ts';

/** What the start-up output says about the store. */
function storeNotices(sessionConfig: SessionConfig, config: Config): string[] {
  if (sessionConfig.sessionStore === 'sqlite') {
    return [`sessions: table express_sessions in ${config.dbPath}, ids stored as SHA-256 hashes`];
  }
  const notices = [
    'sessions: in memory (SESSION_STORE=memory): gone at every restart, never shared between processes;',
    '          express-session warns against MemoryStore in production (see the notes)',
  ];
  if (config.sessionIdleTimeoutSeconds > 0) {
    notices.push('warning: SESSION_IDLE_TIMEOUT needs the SQLite store; MemoryStore ignores it');
  }
  return notices;
}

// Printed after the banner, whose first line says where the server listens.
const notices: string[] = [];

await runLesson(
  {
    lesson: 6,
    title: 'express-session',
    notes: 'lessons/06-express-session/README.md',
    tryIt: (url) => [
      `open ${url}/ in a browser: the playground page (and the framework example's buttons)`,
      `curl -i -c jar -d 'email=bob@hbtn.io' -d 'password=H0lbertonSchool98!' ${url}/api/v1/auth_session/login`,
      `curl -b jar ${url}/api/v1/users/me`,
      `curl -b jar ${url}/protected-resource`,
      `curl -i -b jar -c jar -X DELETE ${url}/api/v1/auth_session/logout`,
    ],
  },
  (config) => {
    const auth = pickAuth(authTypes, config, 'express_session');
    // AUTH_TYPE=session_auth or session_exp_auth: the hand-built sessions, exactly lesson 4's server.
    if (auth instanceof HandBuiltSessionAuth) {
      notices.push(`AUTH_TYPE=${config.authType}: lesson 4's hand-built sessions, no express-session`);
      return createHandBuiltApp(auth, config);
    }
    const sessionConfig = loadSessionConfig();
    const { secrets, notices: secretNotices } = resolveSessionSecrets(sessionConfig, config.dbPath);
    notices.push(...secretNotices, ...storeNotices(sessionConfig, config));
    const store = createSessionStore(sessionConfig.sessionStore, database(), config);
    return createApp(auth, config, { secrets, store });
  },
);
for (const notice of notices) console.log(`  ${notice}`);
