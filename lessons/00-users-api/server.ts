/**
 * `npm run lesson:0`: the plain users API.
 *
 * @module
 */
import { runLesson } from '../../shared/server.ts';
import { createApp } from './app.ts';

await runLesson(
  {
    lesson: 0,
    title: 'The users API',
    notes: 'lessons/00-users-api/README.md',
    tryIt: (url) => [`curl ${url}/api/v1/status`, `curl ${url}/api/v1/users`],
  },
  () => createApp(),
);
