/**
 * The oracle: what every answer to a hostile request must be. No 5xx; a JSON error body for
 * every 4xx that has a body; nothing that looks like a stack trace, a source position, a
 * file path or a database error; and no user data for a request without credentials.
 *
 * @module
 */
import type { RawResponse } from './raw-http.ts';

/**
 * What a leak looks like. The generator never sends any of these (see {@link leakIn}), so
 * one in an answer came from the server, not from an echo of the request.
 */
export const leakPatterns: readonly (readonly [string, RegExp])[] = [
  // "at fn (/path/file.ts:12:3)", "at /path/file.js:1:2", "at node:internal/...:1:2"
  ['a stack frame', /\bat (?:\S+ )?\(?(?:\/|file:|node:)[^\s)]*:\d+:\d+/],
  ['a source position', /\.[cm]?[jt]s:\d+/],
  ['an internal path', /\/work\/|\/home\/|\/tmp\/|\/root\/|sandbox-check-/],
  ['node_modules', /node_modules/],
  ['an error name', /Error:/],
  ['a database error', /SQLITE_|SqliteError|better-sqlite3/],
];

/**
 * The first leak pattern the text matches, or null.
 *
 * @example
 * leakIn('Error: boom\n    at f (/work/main/x.ts:1:2)'); // 'a stack frame'
 * leakIn('{"error":"Not found"}'); // null
 */
export function leakIn(text: string): string | null {
  for (const [name, pattern] of leakPatterns) if (pattern.test(text)) return name;
  return null;
}

/** What the oracle needs to know about the request. */
export interface Judged {
  /** The method as sent (a HEAD answer has no body). */
  method: string;
  /** Whether the request carried credentials that may be valid. */
  authorized: boolean;
  /** Whether the lesson has authentication at all (lesson 0 has none). */
  guarded: boolean;
}

/**
 * Bodies a request without credentials may get with a 2xx: the status, the playground page,
 * the preferences, lesson 6's logout, and nothing at all (204, HEAD). Anything else (a user,
 * the users, the stats, `{}` after a delete) means the guard let it through.
 */
function isPublicAnswer(response: RawResponse): boolean {
  const text = response.body.toString('utf8');
  if (text === '') return true;
  const type = header(response, 'content-type') ?? '';
  if (!type.startsWith('application/json')) return true;
  return /^\{"status":"OK"\}$|^\{"theme":"(light|dark)"\}$|^\{"message":"Logged out successfully"\}$/.test(text);
}

/** The first value of a header, or undefined. */
export function header(response: RawResponse, name: string): string | undefined {
  return response.headers.find(([n]) => n === name)?.[1];
}

/**
 * Everything wrong with one answer: an empty list when it is fine.
 *
 * @example
 * judge({ status: 500, headers: [], body: Buffer.from('') }, { method: 'GET', authorized: false, guarded: true });
 * // ['5xx: 500']
 */
export function judge(response: RawResponse, request: Judged): string[] {
  const problems: string[] = [];
  const { status } = response;
  const text = response.body.toString('utf8');
  if (status >= 500) problems.push(`5xx: ${status}`);
  if (status < 100 || status > 599) problems.push(`not a status code: ${status}`);
  const hasBody = request.method !== 'HEAD' && status !== 204 && status !== 304;
  if (status >= 400 && status < 500 && hasBody) {
    const type = header(response, 'content-type') ?? '(none)';
    if (!type.startsWith('application/json')) problems.push(`${status} with Content-Type ${type}, not JSON`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      problems.push(`${status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
    }
    if (body !== undefined) {
      const message = (body as { error?: unknown; message?: unknown } | null) ?? {};
      if (typeof message.error !== 'string' && typeof message.message !== 'string') {
        problems.push(`${status} with JSON that has no "error" (or "message") string: ${text.slice(0, 80)}`);
      }
    }
  }
  // HEAD has no body, but its headers are GET's: a 4xx still says it is JSON.
  if (status >= 400 && status < 500 && !hasBody && status !== 304) {
    const type = header(response, 'content-type') ?? '(none)';
    if (!type.startsWith('application/json')) problems.push(`${status} to HEAD with Content-Type ${type}, not JSON`);
  }
  if ((status === 204 || status === 304) && response.body.length > 0) problems.push(`${status} with a body`);
  if (status === 405 && !header(response, 'allow')) problems.push('405 without an Allow header');
  const leakInBody = leakIn(text);
  if (leakInBody) problems.push(`${leakInBody} in the body: ${JSON.stringify(text.slice(0, 200))}`);
  for (const [name, value] of response.headers) {
    const leak = leakIn(value);
    if (leak) problems.push(`${leak} in the ${name} header: ${JSON.stringify(value.slice(0, 200))}`);
  }
  if (request.guarded && !request.authorized && status >= 200 && status < 300 && !isPublicAnswer(response)) {
    problems.push(`${status} without credentials, with data: ${JSON.stringify(text.slice(0, 120))}`);
  }
  return problems;
}
