/**
 * HTTP/1.1 over a raw TCP socket: fetch and `http.request` refuse to send most of what the
 * fuzzer needs (NUL bytes, bad header names, unknown methods, duplicate headers, bytes that
 * are not UTF-8), so requests are written byte by byte and answers parsed by hand.
 *
 * @module
 */
import net from 'node:net';

/** A header value: text is sent as UTF-8, a Buffer as it is. */
export type RawValue = string | Buffer;

/** One request, as bytes on the wire. */
export interface RawRequest {
  /** The method token, sent as it is (`GET`, `FOO`, `G E T`...). */
  method: string;
  /** The request target, sent as it is (`/api/v1/status`, `*`, `http://x/`...). */
  target: RawValue;
  /** The protocol version; `HTTP/1.1` when absent. */
  version?: string;
  /** Header lines in order, duplicates and all; nothing is added but what {@link withDefaults} adds. */
  headers: [RawValue, RawValue][];
  /** The body bytes. */
  body?: Buffer;
  /** The whole request: when set, everything else is ignored (for what no field can say). */
  raw?: Buffer;
}

/** One parsed answer. */
export interface RawResponse {
  status: number;
  /** Header names in lower case, in order, duplicates kept. */
  headers: [string, string][];
  /** The body, de-chunked. */
  body: Buffer;
}

/** What sending a request gave: an answer, or why there was none. */
export type Outcome = { response: RawResponse } | { error: string };

const bytes = (value: RawValue): Buffer => (typeof value === 'string' ? Buffer.from(value, 'utf8') : value);

/**
 * The headers a well-behaved client sends, unless the request already has them: `Host`,
 * `Content-Length` for a body, and `Connection: close` (the answer ends when the socket does).
 * `omit` leaves some out on purpose.
 *
 * @example
 * withDefaults({ method: 'GET', target: '/', headers: [] }, 'h:1').headers; // [['Host', 'h:1'], ['Connection', 'close']]
 */
export function withDefaults(request: RawRequest, host: string, omit: readonly string[] = []): RawRequest {
  const has = (name: string) =>
    omit.includes(name) || request.headers.some(([n]) => bytes(n).toString('latin1').toLowerCase() === name);
  const headers: [RawValue, RawValue][] = [];
  if (!has('host')) headers.push(['Host', host]);
  headers.push(...request.headers);
  if (request.body && !has('content-length') && !has('transfer-encoding')) {
    headers.push(['Content-Length', String(request.body.length)]);
  }
  if (!has('connection')) headers.push(['Connection', 'close']);
  return { ...request, headers };
}

/** The request's bytes. */
export function serialize(request: RawRequest): Buffer {
  if (request.raw) return request.raw;
  const parts: Buffer[] = [
    Buffer.from(`${request.method} `, 'utf8'),
    bytes(request.target),
    Buffer.from(` ${request.version ?? 'HTTP/1.1'}\r\n`, 'latin1'),
  ];
  for (const [name, value] of request.headers) parts.push(bytes(name), Buffer.from(': '), bytes(value), Buffer.from('\r\n'));
  parts.push(Buffer.from('\r\n'));
  if (request.body) parts.push(request.body);
  return Buffer.concat(parts);
}

/**
 * Parses an answer from the bytes received so far: the answer, `null` when more bytes are
 * needed, or an error message. `closed` says the peer has closed (a body without a length
 * then ends there). Interim 1xx answers (100 Continue) are skipped.
 */
export function parseResponse(data: Buffer, method: string, closed: boolean): RawResponse | null | string {
  let offset = 0;
  for (;;) {
    const end = data.indexOf('\r\n\r\n', offset);
    if (end === -1) return closed ? (data.length > offset ? 'the answer ended inside its headers' : 'no answer') : null;
    const lines = data.subarray(offset, end).toString('latin1').split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
    if (!match) return `not an HTTP status line: ${JSON.stringify((lines[0] ?? '').slice(0, 100))}`;
    const status = Number(match[1]);
    const headers: [string, string][] = [];
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) return `not a header line: ${JSON.stringify(line.slice(0, 100))}`;
      headers.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]);
    }
    const bodyStart = end + 4;
    // 101 would switch protocols: nothing the fuzzer asks for, so it is an answer like any other.
    if (status >= 100 && status < 200 && status !== 101) {
      offset = bodyStart;
      continue;
    }
    const header = (name: string) => headers.find(([n]) => n === name)?.[1];
    const rest = data.subarray(bodyStart);
    if (method === 'HEAD' || status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0) };
    if (/chunked/i.test(header('transfer-encoding') ?? '')) {
      const body = dechunk(rest);
      if (body === null) return closed ? 'the answer ended inside its chunked body' : null;
      return { status, headers, body };
    }
    const length = header('content-length');
    if (length !== undefined) {
      const n = Number(length);
      if (!Number.isInteger(n) || n < 0) return `bad Content-Length in the answer: ${length}`;
      if (rest.length < n) return closed ? `the answer ended after ${rest.length} of ${n} body bytes` : null;
      return { status, headers, body: rest.subarray(0, n) };
    }
    return closed ? { status, headers, body: rest } : null;
  }
}

/** The body of a complete chunked message, or null while it is incomplete. */
function dechunk(data: Buffer): Buffer | null {
  const chunks: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', offset);
    if (lineEnd === -1) return null;
    const size = parseInt(data.subarray(offset, lineEnd).toString('latin1').split(';')[0]!, 16);
    if (Number.isNaN(size)) return null;
    const start = lineEnd + 2;
    if (size === 0) {
      // The last chunk, then optional trailer lines, then an empty line.
      const trailers = data.subarray(start).toString('latin1');
      return trailers.startsWith('\r\n') || trailers.includes('\r\n\r\n') ? Buffer.concat(chunks) : null;
    }
    if (data.length < start + size + 2) return null;
    chunks.push(data.subarray(start, start + size));
    offset = start + size + 2;
  }
}

/**
 * Sends one request on a new connection and resolves with the first answer, or with why
 * there was none (timeout, connection closed without an answer...). Never rejects.
 *
 * @example
 * const outcome = await sendRaw(port, withDefaults({ method: 'GET', target: '/api/v1/status', headers: [] }, `127.0.0.1:${port}`));
 */
export function sendRaw(port: number, request: RawRequest, timeoutMs = 10_000): Promise<Outcome> {
  const method = request.raw ? '' : request.method;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = net.connect(port, '127.0.0.1');
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const check = (closed: boolean) => {
      const parsed = parseResponse(Buffer.concat(chunks), method, closed);
      if (parsed === null) return;
      finish(typeof parsed === 'string' ? { error: parsed } : { response: parsed });
    };
    const timer = setTimeout(() => finish({ error: `no complete answer within ${timeoutMs} ms` }), timeoutMs);
    socket.on('connect', () => socket.write(serialize(request)));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      check(false);
    });
    // A reset after the server stopped reading: whatever answer arrived before it counts.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const parsed = parseResponse(Buffer.concat(chunks), method, true);
      finish(typeof parsed === 'object' && parsed !== null ? { response: parsed } : { error: `${error.code ?? error.message} and no answer` });
    });
    socket.on('end', () => check(true));
    socket.on('close', () => check(true));
  });
}
