/**
 * `npm run lesson:8`: lesson 7's API with its sessions in Redis. `REDIS_URL` names the Redis;
 * without it the lesson starts a `redis-server` of its own. `npm run lesson:8 -- --instances 3`
 * starts three instances on consecutive ports, sharing one Redis and one database.
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
import { redisAuthTypes } from './app.ts';
import { instanceCount, runInstances } from './instances.ts';

const count = instanceCount(process.argv.slice(2));
if (count === null) {
  await runLesson(
    {
      ...lesson(8),
      tryIt: (url) => [
        `open ${url}/ in a browser: the playground page (X-Instance names the instance)`,
        `curl -i -c jar -d 'email=bob@hbtn.io' -d 'password=H0lbertonSchool98!' ${url}/api/v1/auth_session/login`,
        `curl -i -b jar ${url}/api/v1/users/me`,
        `npm run lesson:8 -- --instances 3   # three instances, one Redis`,
      ],
    },
    {
      ...basicAuthTypes,
      ...sessionLoginAuthTypes,
      ...sessionExpAuthTypes,
      ...sessionDBAuthTypes,
      ...expressSessionAuthTypes,
      ...redisAuthTypes,
    },
  );
} else {
  await runInstances(count, new URL(import.meta.url));
}
