/**
 * `npm run lesson:6`: the library way. express-session keeps the sessions (in SQLite unless
 * `SESSION_STORE=memory`), signed with `SESSION_SECRET` or a generated secret. The hand-built
 * `AUTH_TYPE`s run the lessons that built them, so both can be compared on one port.
 *
 * @module
 */
import { runLesson } from '../../shared/server.ts';
import { basicAuthTypes } from '../01-basic-auth/app.ts';
import { sessionLoginAuthTypes } from '../03-session-login/app.ts';
import { sessionExpAuthTypes } from '../04-session-expiry/app.ts';
import { sessionDBAuthTypes } from '../05-db-sessions/app.ts';
import { lesson } from '../curriculum.ts';
import { expressSessionAuthTypes } from './app.ts';

await runLesson(
  {
    ...lesson(6),
    tryIt: (url) => [
      `open ${url}/ in a browser: the playground page (and the framework example's buttons)`,
      `curl -i -c jar -d 'email=bob@hbtn.io' -d 'password=H0lbertonSchool98!' ${url}/api/v1/auth_session/login`,
      `curl -b jar ${url}/api/v1/users/me`,
      `curl -b jar ${url}/protected-resource`,
      `curl -i -b jar -c jar -X DELETE ${url}/api/v1/auth_session/logout`,
    ],
  },
  { ...basicAuthTypes, ...sessionLoginAuthTypes, ...sessionExpAuthTypes, ...sessionDBAuthTypes, ...expressSessionAuthTypes },
);
