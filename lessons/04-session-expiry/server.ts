/**
 * `npm run lesson:4`: sessions that expire (`SESSION_DURATION`, `SESSION_IDLE_TIMEOUT`).
 *
 * @module
 */
import { runLesson } from '../../shared/server.ts';
import { pickAuth } from '../01-basic-auth/app.ts';
import { authTypes, createApp } from './app.ts';

await runLesson(
  {
    lesson: 4,
    title: 'Session expiry',
    notes: 'lessons/04-session-expiry/README.md',
    tryIt: (url) => [
      `open ${url}/ in a browser: the playground page`,
      `SESSION_DURATION=10 npm run lesson:4   # then, within 10 s and after:`,
      `curl -c jar -d 'email=bob@hbtn.io' -d 'password=H0lbertonSchool98!' ${url}/api/v1/auth_session/login`,
      `curl -b jar ${url}/api/v1/users/me`,
    ],
  },
  (config) => createApp(pickAuth(authTypes, config, 'session_exp_auth'), config),
);
