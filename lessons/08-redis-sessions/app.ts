/**
 * Lesson 8's apps: lesson 7's, whose sessions, session index and password throttle live in
 * Redis instead of this process or this machine's SQLite file. The users stay in SQLite, as
 * in every lesson: several instances on one machine share its file (lesson 5); on several
 * machines they would share a database server, which is another lesson's subject.
 *
 * @module
 */
import express, { type Express } from 'express';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { ConfigError, type Config } from '../../shared/config.ts';
import { database } from '../../shared/db.ts';
import { createUserRoleTable } from '../../shared/models/user-role.ts';
import { RedisServer } from '../../shared/redis-server.ts';
import type { AuthTypes, LessonApp } from '../../shared/server.ts';
import { loadSessionConfig } from '../06-express-session/config.ts';
import { resolveSessionSecrets } from '../06-express-session/secret.ts';
import { createHardenedBasicApp, createHardenedSessionApp } from '../07-hardening/app.ts';
import { loadHardeningConfig, type HardeningConfig } from '../07-hardening/config.ts';
import { hostCookieName } from '../07-hardening/cookie.ts';
import { PasswordCheck } from '../07-hardening/passwords.ts';
import { weakProductionSettings } from '../07-hardening/production.ts';
import type { IndexedSessionStore } from '../07-hardening/session-stores.ts';
import { AttemptThrottle, type AttemptLimiters } from '../07-hardening/throttle.ts';
import { lesson } from '../curriculum.ts';
import { createRedisClient, redisDeadlineMs, type RedisClient } from './redis.ts';
import { RedisSessionStore, type RedisStoreLimits } from './redis-store.ts';
import { redisLimiters } from './throttle.ts';

/** Lesson 8's own settings. */
export interface RedisConfig {
  /** `REDIS_URL`: the Redis every instance shares; unset: a private `redis-server` child. */
  redisUrl: string | null;
  /** `INSTANCE_NAME`: what the `X-Instance` header says (default: host name and process id). */
  instanceName: string;
  /** `REDIS_TIMEOUT` in ms: how long Redis may stay silent before a request gets its 503. */
  timeoutMs: number;
}

/**
 * Reads lesson 8's settings from an environment (the process's by default).
 *
 * @example
 * loadRedisConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redisUrl; // 'redis://127.0.0.1:6379'
 */
export function loadRedisConfig(env: NodeJS.ProcessEnv = process.env): RedisConfig {
  const redisUrl = env.REDIS_URL || null;
  if (redisUrl !== null && !/^rediss?:\/\//.test(redisUrl)) throw new ConfigError(`REDIS_URL must start with redis:// or rediss://, got "${redisUrl}"`);
  const timeout = env.REDIS_TIMEOUT ? Number(env.REDIS_TIMEOUT) : redisDeadlineMs / 1000;
  if (!(timeout > 0 && timeout <= 60)) throw new ConfigError(`REDIS_TIMEOUT takes seconds, more than 0 and at most 60, got "${env.REDIS_TIMEOUT}"`);
  return { redisUrl, instanceName: env.INSTANCE_NAME || `${hostname()}-${process.pid}`, timeoutMs: timeout * 1000 };
}

/** How long the server waits for Redis when it starts before it gives up, in ms. */
const connectAtStartMs = 5000;

/**
 * The Redis to use: `REDIS_URL`, or a private `redis-server` started now, keeping its data in
 * `redis/` beside the database (a temporary folder for `DB_PATH=:memory:`). Connected.
 */
async function connectRedis(config: Config, redisConfig: RedisConfig, newClient = createRedisClient): Promise<{ client: RedisClient; notice: string }> {
  let url = redisConfig.redisUrl;
  let notice = `redis:   ${url} (REDIS_URL), shared by every instance that uses it`;
  if (url === null) {
    const dir = config.dbPath === ':memory:' ? mkdtempSync(join(tmpdir(), 'lesson-8-redis-')) : join(dirname(config.dbPath), 'redis');
    const server = await RedisServer.start({ dir });
    url = server.url;
    notice = `redis:   a redis-server of this process at ${url}, data in ${dir} (REDIS_URL=${url} for a second instance)`;
  }
  const client = newClient(url);
  const connected = client.connect();
  const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new ConfigError(`no answer from Redis at ${url} within ${connectAtStartMs / 1000} s: is it running?`)), connectAtStartMs).unref());
  try {
    await Promise.race([connected, timer]);
  } catch (error) {
    client.destroy();
    throw error;
  }
  return { client, notice };
}

/**
 * The parts of lesson 8 that meet Redis: the client, the session store and the throttle's
 * counters. The checks' fixtures replace one of them to break one claim.
 */
export interface RedisParts {
  /** A client for the URL, not connected yet. */
  client: (url: string) => RedisClient;
  /** The session store, with its index of each user's sessions. */
  store: (client: RedisClient, limits: RedisStoreLimits) => IndexedSessionStore | Promise<IndexedSessionStore>;
  /** The throttle's two counters, failing after `timeoutMs` of silence from Redis. */
  limiters: (client: RedisClient, settings: HardeningConfig, timeoutMs: number) => AttemptLimiters;
}

/** Lesson 8's own parts. */
export const redisParts: RedisParts = {
  client: createRedisClient,
  store: (client, limits) => new RedisSessionStore(client, limits),
  limiters: redisLimiters,
};

/**
 * The app, with an `X-Instance` header on every answer: which instance answered, when
 * several run behind one address (`--instances`, or a load balancer).
 *
 * @example
 * withInstanceHeader('instance-2', app); // answers carry "X-Instance: instance-2"
 */
export function withInstanceHeader(name: string, app: Express): Express {
  const outer = express();
  outer.disable('x-powered-by');
  outer.use((_req, res, next) => {
    res.set('X-Instance', name);
    next();
  });
  outer.use(app);
  return outer;
}

/** Lesson 7's Basic auth app, its failed password checks counted in Redis. */
export async function createRedisBasicLesson(config: Config, parts: RedisParts = redisParts): Promise<LessonApp> {
  const redisConfig = loadRedisConfig();
  const settings = loadHardeningConfig();
  createUserRoleTable(database());
  const { client, notice } = await connectRedis(config, redisConfig, parts.client);
  const passwords = new PasswordCheck(new AttemptThrottle(parts.limiters(client, settings, redisConfig.timeoutMs)));
  return {
    app: withInstanceHeader(redisConfig.instanceName, createHardenedBasicApp(config, { passwords, settings })),
    start: () => void passwords.warmUp(),
    notices: [notice, `logins:  failed password checks counted in Redis, for every instance at once`],
  };
}

/**
 * Lesson 7's session app on Redis. With `NODE_ENV=production` it refuses weak settings, a
 * missing `SESSION_SECRET` first: a secret generated per machine would split the sessions.
 */
export async function createRedisSessionLesson(config: Config, parts: RedisParts = redisParts): Promise<LessonApp> {
  const redisConfig = loadRedisConfig();
  const settings = loadHardeningConfig();
  const sessionConfig = loadSessionConfig();
  if (sessionConfig.production) {
    const weak = weakProductionSettings(config, sessionConfig);
    if (weak.length > 0) throw new ConfigError(weak.join('\n'));
  }
  const { secrets, notices } = resolveSessionSecrets(sessionConfig, config.dbPath);
  createUserRoleTable(database());
  const { client, notice } = await connectRedis(config, redisConfig, parts.client);
  const passwords = new PasswordCheck(new AttemptThrottle(parts.limiters(client, settings, redisConfig.timeoutMs)));
  const store = await parts.store(client, {
    idleTimeoutMs: config.sessionIdleTimeoutSeconds * 1000,
    durationMs: config.sessionDurationSeconds * 1000,
    timeoutMs: redisConfig.timeoutMs,
  });
  const app = createHardenedSessionApp(config, { secrets, store, passwords, settings, servedBy: lesson(8) });
  const ignored = sessionConfig.sessionStore === 'memory' ? ['SESSION_STORE=memory is ignored: lesson 8 keeps its sessions in Redis'] : [];
  return {
    app: withInstanceHeader(redisConfig.instanceName, app),
    start: () => void passwords.warmUp(),
    notices: [
      ...notices,
      notice,
      `sessions: in Redis, keys sess:<SHA-256 of the id>, cookie ${hostCookieName(config.sessionName)}, at most ${settings.sessionsPerUser} per user`,
      `logins:  failed password checks counted in Redis, for every instance at once`,
      `instance: ${redisConfig.instanceName} (the X-Instance header)`,
      ...ignored,
    ],
  };
}

/** The `AUTH_TYPE`s lesson 8 redefines: lesson 7's `express_session` and `basic_auth`, on Redis. */
export const redisAuthTypes: AuthTypes = {
  basic_auth: (config) => createRedisBasicLesson(config),
  express_session: (config) => createRedisSessionLesson(config),
};
