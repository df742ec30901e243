/**
 * `npm run lesson:3`: log in with email and password, get a session cookie, log out.
 *
 * @module
 */
import { runLesson } from '../../shared/server.ts';
import { basicAuthTypes } from '../01-basic-auth/app.ts';
import { lesson } from '../curriculum.ts';
import { sessionLoginAuthTypes } from './app.ts';

await runLesson(
  {
    ...lesson(3),
    tryIt: (url) => [
      `open ${url}/ in a browser: the playground page`,
      `curl -c jar -d 'email=bob@hbtn.io' -d 'password=H0lbertonSchool98!' ${url}/api/v1/auth_session/login`,
      `curl -b jar ${url}/api/v1/users/me`,
      `curl -b jar -c jar -X DELETE ${url}/api/v1/auth_session/logout`,
    ],
  },
  { ...basicAuthTypes, ...sessionLoginAuthTypes },
);
