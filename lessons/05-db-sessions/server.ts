/**
 * `npm run lesson:5`: sessions stored in the SQLite database: they survive a restart, and
 * several processes on the same database file share them.
 *
 * @module
 */
import { runLesson } from '../../shared/server.ts';
import { basicAuthTypes } from '../01-basic-auth/app.ts';
import { sessionLoginAuthTypes } from '../03-session-login/app.ts';
import { sessionExpAuthTypes } from '../04-session-expiry/app.ts';
import { lesson } from '../curriculum.ts';
import { sessionDBAuthTypes } from './app.ts';

await runLesson(
  {
    ...lesson(5),
    tryIt: (url) => [
      `open ${url}/ in a browser: the playground page`,
      `curl -c jar -d 'email=bob@hbtn.io' -d 'password=H0lbertonSchool98!' ${url}/api/v1/auth_session/login`,
      `curl -b jar ${url}/api/v1/users/me   # then stop the server, start it again, and repeat`,
      `npm run sql -- 'select user_id, session_hash from user_sessions'   # no session id in there, only its hash`,
    ],
  },
  { ...basicAuthTypes, ...sessionLoginAuthTypes, ...sessionExpAuthTypes, ...sessionDBAuthTypes },
);
