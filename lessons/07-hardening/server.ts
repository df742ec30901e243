/**
 * `npm run lesson:7`: the users API, hardened. `express_session` (the default) and
 * `basic_auth` are lesson 7's; the other `AUTH_TYPE`s run the lessons that taught them, so
 * that each attack can be tried on both (`npm run attack`).
 *
 * @module
 */
import { runLesson } from '../../shared/server.ts';
import { basicAuthTypes } from '../01-basic-auth/app.ts';
import { sessionLoginAuthTypes } from '../03-session-login/app.ts';
import { sessionExpAuthTypes } from '../04-session-expiry/app.ts';
import { sessionDBAuthTypes } from '../05-db-sessions/app.ts';
import { expressSessionAuthTypes } from '../06-express-session/app.ts';
import { lesson } from '../curriculum.ts';
import { hardenedAuthTypes } from './app.ts';

await runLesson(
  {
    ...lesson(7),
    tryIt: (url) => [
      `open ${url}/ in a browser: the playground page`,
      `curl -i -c jar -d 'email=bob@hbtn.io' -d 'password=H0lbertonSchool98!' ${url}/api/v1/auth_session/login`,
      `curl -b jar ${url}/api/v1/users/me`,
      `curl -i -b jar -c jar -X PUT -d 'current_password=H0lbertonSchool98!' -d 'new_password=…' ${url}/api/v1/users/me/password`,
      `npm run attack -- --list   # each attack, on lesson 6 and on this one`,
    ],
  },
  {
    ...basicAuthTypes,
    ...sessionLoginAuthTypes,
    ...sessionExpAuthTypes,
    ...sessionDBAuthTypes,
    ...expressSessionAuthTypes,
    ...hardenedAuthTypes,
  },
);
