/**
 * `npm run lesson:0`: the plain users API.
 *
 * @module
 */
import { runLesson } from '../../shared/server.ts';
import { lesson } from '../curriculum.ts';
import { createUsersApp } from './app.ts';

await runLesson(
  { ...lesson(0), tryIt: (url) => [`curl ${url}/api/v1/status`, `curl ${url}/api/v1/users`] },
  () => ({ app: createUsersApp() }),
);
