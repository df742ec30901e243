/**
 * What the step tests share: the context a test gets (the lessons it grades, the reference
 * or the learner's), fake requests, and an app on a real port whose stub answers become a
 * "not written yet" failure instead of "expected 200, got 501".
 *
 * A step test is a function of the module under test, like the course's `main_N.py`: it
 * imports the learner's file through `ctx.load()`, calls it with the course's examples and
 * asserts with `node:assert`, each message saying what was asked.
 *
 * @module
 */
import type { Express, Request } from 'express';
import { randomBytes, scryptSync } from 'node:crypto';
import type { Config } from '../../shared/config.ts';
import { loadConfig } from '../../shared/config.ts';
import { User } from '../../shared/models/user.ts';
import { lowScryptParams } from '../../shared/password.ts';
import { listen } from '../../shared/testing.ts';

/** What a step test gets. */
export interface StepContext {
  /**
   * Imports a module of the lessons under test, by its path from their folder:
   * `ctx.load<typeof import('../../lessons/02-session-auth/session-auth.ts')>('02-session-auth/session-auth.ts')`.
   */
  load<T>(file: string): Promise<T>;
}

/** A step's test: throws (an `AssertionError`, mostly) when the step is not done. */
export type StepTest = (ctx: StepContext) => Promise<void>;

/** A configuration as the lessons read it, from these environment variables only. */
export function config(env: Record<string, string> = {}): Config {
  return loadConfig(env);
}

/**
 * A saved user whose password hash has cheap scrypt parameters (N=2^10, r=8, p=1): the
 * stored hash carries its parameters, so checking it takes a millisecond instead of the
 * lessons' deliberate 100. For tests only: a real password gets `user.setPassword()`.
 *
 * @example
 * const bob = quickUser('bob@hbtn.io', 'H0lbertonSchool98!');
 */
export function quickUser(email: string, password: string): User {
  const user = Object.assign(new User(), { email, passwordHash: quickPasswordHash(password) });
  user.save();
  return user;
}

/**
 * A stored password hash (`scrypt$N$r$p$salt$hash`) with the cheap cost of {@link quickUser}:
 * for test accounts only.
 */
export function quickPasswordHash(password: string): string {
  const salt = randomBytes(16);
  const { N, r, p } = lowScryptParams;
  const key = scryptSync(password, salt, 32, { N, r, p });
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Just enough of an Express request for the functions that read headers, cookies and the body. */
export function fakeRequest(parts: {
  headers?: Record<string, string>;
  cookies?: Record<string, unknown>;
  signedCookies?: Record<string, unknown>;
  body?: unknown;
  session?: unknown;
} = {}): Request {
  return { headers: {}, ...parts } as unknown as Request;
}

/** A stub answered instead of the code under test: reported as "not written yet". */
export class StubAnswer extends Error {
  override name = 'StubAnswer';
  /** Read by the step runner: the failure is an unwritten stub. */
  readonly notWritten = true;
}

/** An answer as the tests read it. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or undefined. */
  json: any;
}

/** An app listening on a free port: `call()` sends a request; `close()` stops it. */
export interface TestServer {
  url: string;
  call(path: string, init?: RequestInit): Promise<Answer>;
  close(): void;
}

/**
 * Starts `app` on a free port of 127.0.0.1. A 501 from a stub (shared/not-written.ts) throws
 * a {@link StubAnswer} naming the function, so a test never reports it as a wrong status.
 */
export async function serve(app: Express): Promise<TestServer> {
  const server = await listen(app);
  return {
    url: server.url,
    close: server.close,
    async call(path, init = {}) {
      const response = await fetch(server.url + path, { redirect: 'manual', ...init });
      const text = await response.text();
      let json: any;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      if (response.status === 501 && typeof json?.error === 'string' && json.error.startsWith('not written yet: ')) {
        throw new StubAnswer(`${init.method ?? 'GET'} ${path} answered 501: ${json.error}`);
      }
      return { status: response.status, headers: response.headers, text, json };
    },
  };
}

/** Runs `work` with `server`, then closes it, whatever happens. */
export async function withServer(app: Express, work: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await serve(app);
  try {
    await work(server);
  } finally {
    server.close();
  }
}

/** A form-encoded POST body, as the course's login form sends. */
export function form(fields: Record<string, string>): RequestInit {
  return { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() };
}

/** A JSON body with `method`. */
export function json(method: string, body: unknown): RequestInit {
  return { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}

/** The `name=value` pair of the `Set-Cookie` header for `name`, and its attributes, or null. */
export function setCookie(headers: Headers, name: string): { value: string; attributes: string[] } | null {
  for (const line of headers.getSetCookie()) {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    if (pair.startsWith(`${name}=`)) return { value: pair.slice(name.length + 1), attributes };
  }
  return null;
}
