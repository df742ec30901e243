/**
 * `npm run lesson:1`: the users API behind Basic auth.
 *
 * @module
 */
import { runLesson } from '../../shared/server.ts';
import { lesson } from '../curriculum.ts';
import { basicAuthTypes } from './app.ts';

await runLesson(
  { ...lesson(1), tryIt: (url) => [`curl -u 'bob@hbtn.io:H0lbertonSchool98!' ${url}/api/v1/users/me`] },
  basicAuthTypes,
);
