/**
 * Assertions for checks: each failure says what was expected and carries the answer that
 * came back, so the report can show status, the relevant headers and the body.
 *
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import type { HttpResponse } from './http.ts';

/** What a failed check reports besides its one-line message. */
export interface FailureDetails {
  /** What the claim wanted, e.g. `401 {"error": "Unauthorized"}`. */
  expected?: string;
  /** What came back, when it is not simply `response`. */
  actual?: string;
  /** The answer that broke the claim. */
  response?: HttpResponse;
  /** Headers worth showing besides Content-Type and the usual suspects. */
  headers?: string[];
}

/** The server broke the claim. */
export class CheckFailure extends Error {
  override name = 'CheckFailure';
  constructor(
    message: string,
    readonly details: FailureDetails = {},
  ) {
    super(message);
  }
}

/** The check cannot run here (a foreign server, a missing `--user`...); not a failure. */
export class SkipCheck extends Error {
  override name = 'SkipCheck';
}

/**
 * Fails the check.
 *
 * @example
 * fail('the list lacks the seeded user', { expected: 'an entry with id ...', response: res });
 */
export function fail(message: string, details?: FailureDetails): never {
  throw new CheckFailure(message, details);
}

/**
 * Fails unless `condition` holds.
 *
 * @example
 * expectThat(Array.isArray(body), 'GET /api/v1/users: expected a JSON array', { response: res });
 */
export function expectThat(condition: unknown, message: string, details?: FailureDetails): asserts condition {
  if (!condition) fail(message, details);
}

/** `what` names the request in messages; by default the method and path. */
function label(res: HttpResponse, what?: string): string {
  return what ? `${res.request} (${what})` : res.request;
}

/** JSON as the notes write it: `{"error": "Forbidden"}`. */
export function showJson(value: unknown): string {
  return JSON.stringify(value, null, 1)
    .replace(/\n\s*/g, ' ')
    .replace(/\[ /g, '[')
    .replace(/\{ /g, '{')
    .replace(/ \]/g, ']')
    .replace(/ \}/g, '}');
}

/**
 * Fails unless the status is `status` (or one of them).
 *
 * @example
 * expectStatus(res, 201, 'a valid new user');
 */
export function expectStatus(res: HttpResponse, status: number | readonly number[], what?: string): void {
  const allowed = typeof status === 'number' ? [status] : status;
  if (!allowed.includes(res.status)) {
    fail(`${label(res, what)}: expected status ${allowed.join(' or ')}, got ${res.status}`, {
      expected: `status ${allowed.join(' or ')}`,
      response: res,
    });
  }
}

/** Fails unless the answer is JSON (`Content-Type: application/json`) and returns the body. */
export function expectJsonBody(res: HttpResponse, what?: string): unknown {
  const body = res.json();
  if (!res.isJson || body === undefined) {
    fail(`${label(res, what)}: expected a JSON answer, got ${res.header('content-type') ?? 'no Content-Type'}`, {
      expected: 'Content-Type: application/json and a JSON body',
      response: res,
    });
  }
  return body;
}

/**
 * Fails unless the answer has this status and exactly this JSON body.
 *
 * @example
 * expectJson(res, 200, { status: 'OK' });
 */
export function expectJson(res: HttpResponse, status: number, expected: unknown, what?: string): void {
  const want = `${status} ${showJson(expected)}`;
  if (res.status !== status) {
    fail(`${label(res, what)}: expected ${want}, got status ${res.status}`, { expected: want, response: res });
  }
  const body = res.json();
  if (!res.isJson || body === undefined) {
    fail(`${label(res, what)}: expected ${want} as JSON, got ${res.header('content-type') ?? 'no Content-Type'}`, {
      expected: `${want} with Content-Type: application/json`,
      response: res,
    });
  }
  if (!isDeepStrictEqual(body, expected)) {
    fail(`${label(res, what)}: expected ${want}, got ${res.status} ${showJson(body)}`, {
      expected: want,
      response: res,
    });
  }
}

/**
 * Fails unless the answer is `status` with `{"error": error}` as JSON.
 *
 * @example
 * expectError(res, 403, 'Forbidden');
 */
export function expectError(res: HttpResponse, status: number, error: string, what?: string): void {
  expectJson(res, status, { error }, what);
}

/**
 * Fails unless the answer is a JSON object with a string `error` and a status in
 * `statuses` (or any 4xx for `'4xx'`); returns the error string.
 *
 * @example
 * expectSomeError(res, [405]);
 * expectSomeError(res, '4xx', 'a null body');
 */
export function expectSomeError(res: HttpResponse, statuses: readonly number[] | '4xx', what?: string): string {
  const wanted = statuses === '4xx' ? 'a 4xx status' : `status ${statuses.join(' or ')}`;
  const ok = statuses === '4xx' ? res.status >= 400 && res.status < 500 : statuses.includes(res.status);
  if (!ok)
    fail(`${label(res, what)}: expected ${wanted}, got ${res.status}`, {
      expected: `${wanted} with {"error": "..."}`,
      response: res,
    });
  const body = expectJsonBody(res, what) as { error?: unknown } | null;
  if (typeof body !== 'object' || body === null || typeof body.error !== 'string' || body.error === '') {
    fail(`${label(res, what)}: expected a JSON object with an "error" string, got ${showJson(body)}`, {
      expected: `${wanted} with {"error": "..."}`,
      response: res,
    });
  }
  return body.error;
}

/**
 * Fails unless the header is present and passes `test`; returns its value.
 *
 * @example
 * expectHeader(res, 'WWW-Authenticate', /^Basic /, 'a Basic challenge');
 */
export function expectHeader(
  res: HttpResponse,
  name: string,
  test: RegExp | ((value: string) => boolean),
  description: string,
  what?: string,
): string {
  const value = res.header(name);
  const ok = value !== undefined && (typeof test === 'function' ? test(value) : test.test(value));
  if (!ok) {
    fail(
      `${label(res, what)}: ${value === undefined ? `no ${name} header` : `${name}: ${value}`}; ` +
        `expected ${description}`,
      {
        expected: `${name}: ${description}`,
        response: res,
        headers: [name],
      },
    );
  }
  return value as string;
}

/** Fails when the header is present. */
export function expectNoHeader(res: HttpResponse, name: string, why: string, what?: string): void {
  const value = res.header(name);
  if (value !== undefined) {
    fail(`${label(res, what)}: ${name}: ${value}; expected no ${name} header (${why})`, {
      expected: `no ${name} header`,
      response: res,
      headers: [name],
    });
  }
}
