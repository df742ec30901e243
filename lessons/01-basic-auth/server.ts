/**
 * `npm run lesson:1`: the users API behind Basic auth.
 *
 * @module
 */
import { runLesson } from '../../shared/server.ts';
import { authTypes, createApp, pickAuth } from './app.ts';

await runLesson(
  {
    lesson: 1,
    title: 'Basic auth',
    notes: 'lessons/01-basic-auth/README.md',
    tryIt: (url) => [`curl -u 'bob@hbtn.io:H0lbertonSchool98!' ${url}/api/v1/users/me`],
  },
  (config) => createApp(pickAuth(authTypes, config, 'basic_auth')),
);
