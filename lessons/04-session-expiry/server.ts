/**
 * `npm run lesson:4`: sessions that expire (`SESSION_DURATION`, `SESSION_IDLE_TIMEOUT`).
 *
 * @module
 */
import { runLesson } from '../../shared/server.ts';
import { basicAuthTypes } from '../01-basic-auth/app.ts';
import { sessionLoginAuthTypes } from '../03-session-login/app.ts';
import { lesson } from '../curriculum.ts';
import { sessionExpAuthTypes } from './app.ts';

await runLesson(
  {
    ...lesson(4),
    tryIt: (url) => [
      `open ${url}/ in a browser: the playground page`,
      `SESSION_DURATION=10 npm run lesson:4   # then, within 10 s and after:`,
      `curl -c jar -d 'email=bob@hbtn.io' -d 'password=H0lbertonSchool98!' ${url}/api/v1/auth_session/login`,
      `curl -b jar ${url}/api/v1/users/me`,
    ],
  },
  { ...basicAuthTypes, ...sessionLoginAuthTypes, ...sessionExpAuthTypes },
);
