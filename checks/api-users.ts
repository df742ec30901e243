/**
 * Users on servers the runner cannot seed, through the API alone:
 *
 * - with `--url`, the account `--user` names, whose id is looked up in `GET /api/v1/users`;
 * - with `--start`, new users made the way a course server allows: the runner starts it once
 *   without `AUTH_TYPE` (the course's `app.py` then guards nothing), creates the run's users
 *   with `POST /api/v1/users`, and stops it. A course server keeps its users in a file it reads
 *   once, at start: the next start, with the checks' environment, knows them.
 *
 * @module
 */
import { ExchangeLog, HttpClient } from './http.ts';
import { endpointOf, RemoteInstance, type RunState, type StartCommand } from './instances.ts';
import { RunError } from './options.ts';
import { CommandServer } from './server.ts';
import type { SeededUser } from './types.ts';

/** A client of `url` whose exchanges nobody replays. */
function clientOf(url: string, state: Pick<RunState, 'agents'>): HttpClient {
  const instance = new RemoteInstance(url, {}, { name: 'none', needsUser: false, async authenticate() {} });
  return new HttpClient(endpointOf(instance, 'base', url), new ExchangeLog(), state.agents);
}

/** Looks up the id of the `--user` on a foreign server ('' when it cannot be found). */
export async function findUrlUser(instance: RemoteInstance, state: RunState, email: string, password: string): Promise<SeededUser> {
  const user: SeededUser = { id: '', email, password, firstName: null, lastName: null };
  try {
    const client = clientOf(instance.url, state);
    const server = { env: instance.env, mode: 'url' as const, waitForLine: () => instance.waitForLine() };
    if (instance.strategy.needsUser) await instance.strategy.authenticate(client, user, server);
    const list = (await client.get('/api/v1/users')).json();
    const found = Array.isArray(list) ? list.find((entry) => String(entry?.email).toLowerCase() === email.toLowerCase()) : undefined;
    if (typeof found?.id === 'string') user.id = found.id;
  } catch {
    // The checks that need the id will say what is wrong.
  }
  return user;
}

/**
 * Creates `users` on the learner's server (see the module's doc) and returns them with the ids
 * it gave them; throws a {@link RunError} that says what the server must accept when it cannot.
 */
export async function createStartUsers(command: StartCommand, users: readonly Omit<SeededUser, 'id'>[], state: RunState): Promise<SeededUser[]> {
  let server: CommandServer;
  try {
    server = await CommandServer.start({ command: command.command, cwd: command.cwd, env: {} });
  } catch (error) {
    throw new RunError(`${command.command} (in ${command.cwd}) started no server that answers GET /api/v1/status: ${(error as Error).message}`);
  }
  try {
    const client = clientOf(server.url, state);
    const created: SeededUser[] = [];
    for (const user of users) {
      const json = { email: user.email, password: user.password, first_name: user.firstName, last_name: user.lastName };
      const res = await client.post('/api/v1/users', { json });
      const id = (res.json() as { id?: unknown } | undefined)?.id;
      if (res.status !== 201 || typeof id !== 'string' || id === '') {
        throw new RunError(
          `could not create the checks' users: started without AUTH_TYPE, your server answered POST /api/v1/users with ` +
            `${res.status} ${res.body.slice(0, 200)}; it must create the user (201 and its JSON with an "id"), as the course's app does`,
        );
      }
      created.push({ ...user, id });
    }
    return created;
  } finally {
    await server.stop();
  }
}
