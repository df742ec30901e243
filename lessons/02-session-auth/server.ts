/**
 * `npm run lesson:2`: session auth by hand, sessions in memory. There is no login route yet,
 * so the server starts one session for the first user and prints its id.
 *
 * @module
 */
import { runLesson } from '../../shared/server.ts';
import { basicAuthTypes } from '../01-basic-auth/app.ts';
import { lesson } from '../curriculum.ts';
import { sessionAuthTypes } from './app.ts';

await runLesson(
  { ...lesson(2), tryIt: (url) => [`curl --cookie "_my_session_id=<the Session ID below>" ${url}/api/v1/users/me`] },
  { ...basicAuthTypes, ...sessionAuthTypes },
);
