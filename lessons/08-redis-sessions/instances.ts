/**
 * `npm run lesson:8 -- --instances N`: N instances of lesson 8, as a load balancer would see
 * them. This process starts one Redis (unless `REDIS_URL` names one), then the instances, each
 * a process of its own on the next port (`API_PORT`, `API_PORT + 1`, ...; free ports with
 * `API_PORT=0`), with the same `REDIS_URL` and database, and `INSTANCE_NAME=instance-1`, ...
 * Their output comes through here, each line marked with its instance. Kill one (its pid is
 * printed) and the others go on serving its sessions.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../../shared/config.ts';
import { freePort } from '../../shared/free-port.ts';
import { RedisServer } from '../../shared/redis-server.ts';

/**
 * The N of `--instances N` in the command-line arguments; null without the option. Throws a
 * {@link ConfigError} for anything but a whole number from 1 to 16.
 *
 * @example
 * instanceCount(['--instances', '3']); // 3
 * instanceCount([]); // null
 */
export function instanceCount(args: readonly string[]): number | null {
  const at = args.indexOf('--instances');
  if (at === -1) return null;
  const value = args[at + 1] ?? '';
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 16) {
    throw new ConfigError(`--instances takes a whole number from 1 to 16, got "${value}"`);
  }
  return Number(value);
}

/** Prints each line of a child's stream, marked with its instance's name. */
function relay(stream: NodeJS.ReadableStream, name: string, out: NodeJS.WriteStream): void {
  createInterface({ input: stream }).on('line', (line) => out.write(`[${name}] ${line}\n`));
}

/** Starts instance `name` of `server` on `port`; resolves once it listens (its banner's first line). */
function startInstance(server: string, name: string, port: number, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...process.execArgv, server], {
    env: { ...process.env, ...env, API_PORT: String(port), INSTANCE_NAME: name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  relay(child.stdout!, name, process.stdout);
  relay(child.stderr!, name, process.stderr);
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('listening on')) resolve(child);
    });
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (${signal ?? code}) before it listened`)));
  });
}

function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(1);
}

/**
 * Runs `count` instances of the lesson's server (`serverUrl`, its `server.ts`) until Ctrl-C.
 *
 * @example
 * await runInstances(3, new URL(import.meta.url));
 */
export async function runInstances(count: number, serverUrl: URL): Promise<void> {
  const server = fileURLToPath(serverUrl);
  let redisUrl = process.env.REDIS_URL || '';
  let config;
  try {
    config = loadConfig();
    if (config.dbPath === ':memory:') throw new ConfigError('--instances needs a database file the instances share: DB_PATH=:memory: gives each its own');
    if (!redisUrl) redisUrl = (await RedisServer.start({ dir: join(dirname(config.dbPath), 'redis') })).url;
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(config.apiPort === 0 ? await freePort() : config.apiPort + i);
  const children: ChildProcess[] = [];
  const stopAll = () => {
    for (const child of children) child.kill('SIGTERM');
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, stopAll);
  try {
    // The first instance alone: it creates the database, the demo user and the session
    // secret, which the others then find.
    children.push(await startInstance(server, 'instance-1', ports[0]!, { REDIS_URL: redisUrl }));
    const rest = ports.slice(1).map((port, i) => startInstance(server, `instance-${i + 2}`, port, { REDIS_URL: redisUrl, DEMO_USER: 'false' }));
    children.push(...(await Promise.all(rest)));
  } catch (error) {
    stopAll();
    fail((error as Error).message);
  }
  const pids = children.map((child, i) => `instance-${i + 1} on ${ports[i]} (pid ${child.pid})`).join(', ');
  console.log(`${count} instances sharing ${redisUrl} and ${config.dbPath}: ${pids}. Stop: Ctrl-C`);
  await Promise.all(children.map((child) => new Promise((resolve) => child.once('exit', resolve))));
}
