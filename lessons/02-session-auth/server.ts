/**
 * `npm run lesson:2`: session auth by hand, sessions in memory. There is no login route yet,
 * so the server starts one session for the first user and prints its id.
 *
 * @module
 */
import { runLesson } from '../../shared/server.ts';
import { User } from '../../shared/models/user.ts';
import { pickAuth } from '../01-basic-auth/app.ts';
import { authTypes, createApp } from './app.ts';
import { SessionAuth } from './session-auth.ts';

await runLesson(
  {
    lesson: 2,
    title: 'Session auth',
    notes: 'lessons/02-session-auth/README.md',
    tryIt: (url) => [`curl --cookie "_my_session_id=<the Session ID above>" ${url}/api/v1/users/me`],
  },
  (config) => {
    const auth = pickAuth(authTypes, config, 'session_auth');
    const [user] = User.all();
    if (auth instanceof SessionAuth && user) {
      // The course's main_N.py did this by hand. Printing a live session id is fine on your own
      // machine for a lesson, and never in a real server's log.
      console.log(`User with ID: ${user.id} has a Session ID: ${auth.createSession(user.id)}`);
    }
    return createApp(auth, config);
  },
);
