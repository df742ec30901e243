/**
 * The checks' HTTP client: explicit headers, no redirects followed, a cookie jar per client,
 * raw `Set-Cookie` headers, and every exchange recorded for the failure report's curl replay.
 *
 * @module
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { loadAverage, timeLimits } from './time.ts';

/** A parsed `Set-Cookie` header: attribute names in lower case, flags as `true`. */
export interface SetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
  /** The header as the server sent it. */
  raw: string;
}

/**
 * Parses one `Set-Cookie` header (RFC 6265 §5.2), or null when it has no `name=`.
 *
 * @example
 * parseSetCookie('sid=abc; Path=/; HttpOnly; SameSite=Lax');
 * // { name: 'sid', value: 'abc', attributes: { path: '/', httponly: true, samesite: 'Lax' }, raw: ... }
 */
export function parseSetCookie(raw: string): SetCookie | null {
  const [pair = '', ...parts] = raw.split(';');
  const equals = pair.indexOf('=');
  if (equals < 1) return null;
  const attributes: Record<string, string | true> = {};
  for (const part of parts) {
    const at = part.indexOf('=');
    const key = (at === -1 ? part : part.slice(0, at)).trim().toLowerCase();
    if (key) attributes[key] = at === -1 ? true : part.slice(at + 1).trim();
  }
  return { name: pair.slice(0, equals).trim(), value: pair.slice(equals + 1).trim(), attributes, raw };
}

/** A cookie the jar holds. */
export interface StoredCookie {
  name: string;
  value: string;
  path: string;
  secure: boolean;
  /** Epoch milliseconds, or null for a session cookie. */
  expiresAt: number | null;
}

/** The directory of a request path, the default cookie path (RFC 6265 §5.1.4). */
function defaultPath(requestPath: string): string {
  const path = requestPath.split('?')[0] ?? '/';
  if (!path.startsWith('/') || path.lastIndexOf('/') === 0) return '/';
  return path.slice(0, path.lastIndexOf('/'));
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  const path = requestPath.split('?')[0] ?? '/';
  if (path === cookiePath) return true;
  if (!path.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || path[cookiePath.length] === '/';
}

/**
 * A browser-like cookie jar for one host: it stores `Set-Cookie` answers, drops expired and
 * cleared cookies, ignores ports (as browsers do) and sends `Secure` cookies only over https.
 */
export class CookieJar {
  private readonly cookies = new Map<string, StoredCookie>();

  /** Stores the cookies of one answer to a request for `requestPath`. */
  store(setCookies: readonly string[], requestPath: string, now = Date.now()): void {
    for (const raw of setCookies) {
      const cookie = parseSetCookie(raw);
      if (!cookie) continue;
      const { attributes } = cookie;
      const pathAttribute = typeof attributes.path === 'string' && attributes.path.startsWith('/') ? attributes.path : null;
      const path = pathAttribute ?? defaultPath(requestPath);
      let expiresAt: number | null = null;
      // Max-Age wins over Expires (RFC 6265 §5.3 step 3).
      if (typeof attributes['max-age'] === 'string' && /^-?\d+$/.test(attributes['max-age'])) {
        expiresAt = now + Number(attributes['max-age']) * 1000;
      } else if (typeof attributes.expires === 'string') {
        const date = Date.parse(attributes.expires);
        if (!Number.isNaN(date)) expiresAt = date;
      }
      const key = `${cookie.name};${path}`;
      if (expiresAt !== null && expiresAt <= now) this.cookies.delete(key);
      else this.cookies.set(key, { name: cookie.name, value: cookie.value, path, secure: attributes.secure === true, expiresAt });
    }
  }

  /** The `Cookie` header for a request, or undefined when no cookie applies. */
  header(requestPath: string, https = false, now = Date.now()): string | undefined {
    const pairs = this.list(now)
      .filter((cookie) => pathMatches(requestPath, cookie.path) && (https || !cookie.secure))
      // Longer paths first (RFC 6265 §5.4).
      .sort((a, b) => b.path.length - a.path.length)
      .map((cookie) => `${cookie.name}=${cookie.value}`);
    return pairs.length ? pairs.join('; ') : undefined;
  }

  /** The value of the cookie `name` (any path), or undefined. */
  get(name: string, now = Date.now()): string | undefined {
    return this.list(now).find((cookie) => cookie.name === name)?.value;
  }

  /** Puts a cookie in the jar by hand, as a browser's devtools would. */
  set(name: string, value: string, path = '/'): void {
    this.cookies.set(`${name};${path}`, { name, value, path, secure: false, expiresAt: null });
  }

  /** The cookies that have not expired. */
  list(now = Date.now()): StoredCookie[] {
    for (const [key, cookie] of this.cookies) {
      if (cookie.expiresAt !== null && cookie.expiresAt <= now) this.cookies.delete(key);
    }
    return [...this.cookies.values()];
  }
}

/** What a request sends besides method and path. */
export interface RequestOptions {
  /** Headers, sent as given (they win over the client's defaults and the jar). */
  headers?: Record<string, string>;
  /** A JSON body; adds `Content-Type: application/json` unless a content type is given. */
  json?: unknown;
  /** A form body (`application/x-www-form-urlencoded`), as the course's login form sends. */
  form?: Record<string, string>;
  /** A raw body, sent with the headers given and nothing else. */
  body?: string;
  /** Shell text to put after curl's `--data-raw` instead of the body (for big bodies). */
  replayData?: string;
}

/** One request and its answer, as recorded for the replay. */
export interface Exchange {
  kind: 'exchange';
  /** The shell variable holding the cookie jar file of the client that sent it (`jar`, `jar2`...). */
  jar: string;
  /** The shell variable holding the server's base URL (`base`, `base2`...), and that URL. */
  base: string;
  baseUrl: string;
  method: string;
  /** The path and query, as sent. */
  path: string;
  /** The headers the check chose (not Host, Content-Length or the jar's Cookie). */
  headers: [string, string][];
  body?: string;
  replayData?: string;
  status?: number;
  error?: string;
  /** The cookies the answer set (name and value), so that the replay can reuse a value it reads from the jar. */
  setCookies?: { name: string; value: string }[];
}

/** A step of a check's story that is not a request. */
export type Step =
  | Exchange
  | { kind: 'note'; text: string }
  | { kind: 'cookie'; jar: string; host: string; name: string; value: string; path: string }
  /** Another server starts in the middle of the story: the shell lines that start it by hand. */
  | { kind: 'start'; lines: string[] };

/** The steps of one check, in order, for its failure report. */
export class ExchangeLog {
  readonly steps: Step[] = [];
  private jars = 0;

  /** A jar variable for a new client: `jar`, then `jar2`, `jar3`... */
  nextJar(): string {
    this.jars += 1;
    return this.jars === 1 ? 'jar' : `jar${this.jars}`;
  }

  add(step: Step): void {
    this.steps.push(step);
  }
}

/** Where a client sends its requests. */
export interface Endpoint {
  /** The server's base URL now (it changes when the server restarts). */
  readonly url: string;
  /** The base URL in the curl replay (a port that was free when the run began, or the `--url`). */
  readonly replayUrl: string;
  /** The replay's shell variable for it: `base`, `base2` for a second server... */
  readonly replayName: string;
}

/** A server's answer. */
export class HttpResponse {
  constructor(
    /** The request's method. */
    readonly method: string,
    /** The request's path. */
    readonly path: string,
    readonly status: number,
    readonly statusText: string,
    /** Headers with lower-case names (Node joins repeated ones, except `set-cookie`). */
    readonly headers: IncomingHttpHeaders,
    readonly body: string,
  ) {}

  /** Every `Set-Cookie` header, raw. */
  get setCookies(): string[] {
    return this.headers['set-cookie'] ?? [];
  }

  /** The `Set-Cookie` for cookie `name`, parsed, or undefined. */
  cookie(name: string): SetCookie | undefined {
    return this.setCookies.map(parseSetCookie).find((cookie) => cookie?.name === name) ?? undefined;
  }

  /** One header's value (repeated headers joined with `, `), or undefined. */
  header(name: string): string | undefined {
    const value = this.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  /** Whether the answer says it is JSON. */
  get isJson(): boolean {
    return /^application\/json\b/i.test(this.header('content-type') ?? '');
  }

  /** The body parsed as JSON, or undefined when it is not JSON. */
  json(): unknown {
    try {
      return JSON.parse(this.body);
    } catch {
      return undefined;
    }
  }

  /** `GET /api/v1/users`: the request, for messages. */
  get request(): string {
    return `${this.method} ${this.path}`;
  }
}

/** The request failed without an answer (connection refused, reset, timeout). */
export class NoAnswerError extends Error {
  override name = 'NoAnswerError';
  constructor(
    message: string,
    /** It ran out of time (the server may only be slow), rather than being refused or cut. */
    readonly timedOut = false,
  ) {
    super(message);
  }
}

/** How long a request may wait for its answer on an idle machine (stretched with the load). */
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * An HTTP client with its own cookie jar, for one check.
 *
 * @example
 * const client = ctx.client();
 * const res = await client.get('/api/v1/status');
 * res.status; // 200
 */
export class HttpClient {
  /** The client's cookies. */
  readonly jar = new CookieJar();
  /** Headers sent with every request (e.g. `Authorization` once authenticated). */
  readonly headers: Record<string, string> = {};
  /** The jar's file name in the curl replay. */
  readonly jarName: string;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly log: ExchangeLog,
    private readonly agents: { http: http.Agent; https: https.Agent },
  ) {
    this.jarName = log.nextJar();
  }

  get(path: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.request('GET', path, options);
  }

  post(path: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.request('POST', path, options);
  }

  put(path: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.request('PUT', path, options);
  }

  delete(path: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.request('DELETE', path, options);
  }

  /** Puts a cookie in this client's jar by hand (recorded for the replay). */
  setCookie(name: string, value: string, path = '/'): void {
    this.jar.set(name, value, path);
    this.log.add({ kind: 'cookie', jar: this.jarName, host: new URL(this.endpoint.replayUrl).hostname, name, value, path });
  }

  /** Sends one request; `path` starts with `/` and is sent as written (no normalising). */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const chosen: [string, string][] = Object.entries({ ...this.headers, ...options.headers });
    const has = (name: string) => chosen.some(([key]) => key.toLowerCase() === name);
    let body: string | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      if (!has('content-type')) chosen.push(['Content-Type', 'application/json']);
    } else if (options.form !== undefined) {
      body = new URLSearchParams(options.form).toString();
      if (!has('content-type')) chosen.push(['Content-Type', 'application/x-www-form-urlencoded']);
    }
    const base = new URL(this.endpoint.url);
    const secure = base.protocol === 'https:';
    const fullPath = base.pathname.replace(/\/$/, '') + path;
    const headers: Record<string, string> = Object.fromEntries(chosen);
    const cookie = this.jar.header(fullPath, secure);
    if (cookie && !has('cookie')) headers.Cookie = cookie;
    if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
    else if (method === 'POST' || method === 'PUT' || method === 'PATCH') headers['Content-Length'] = '0';

    const exchange: Exchange = {
      kind: 'exchange',
      jar: this.jarName,
      base: this.endpoint.replayName,
      baseUrl: this.endpoint.replayUrl.replace(/\/$/, ''),
      method,
      path,
      headers: chosen,
      body,
      replayData: options.replayData,
    };
    this.log.add(exchange);
    const timeoutMs = timeLimits().stretch(REQUEST_TIMEOUT_MS);
    try {
      const response = await send(secure ? https : http, secure ? this.agents.https : this.agents.http, {
        method,
        host: base.hostname,
        port: base.port || (secure ? 443 : 80),
        path: fullPath,
        headers,
        body,
        timeoutMs,
      });
      exchange.status = response.status;
      exchange.setCookies = response.setCookies.flatMap((raw) => {
        const cookie = parseSetCookie(raw);
        return cookie ? [{ name: cookie.name, value: cookie.value }] : [];
      });
      this.jar.store(response.setCookies, fullPath);
      return new HttpResponse(method, path, response.status, response.statusText, response.headers, response.body);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      exchange.error = reason;
      if (reason === 'ETIMEDOUT') {
        throw new NoAnswerError(`${method} ${path}: no answer within ${Math.round(timeoutMs / 1000)} s (load average ${loadAverage()})`, true);
      }
      throw new NoAnswerError(`${method} ${path}: no answer (${reason})`);
    }
  }
}

interface RawResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: string;
  setCookies: string[];
}

type RawRequest = {
  method: string;
  host: string;
  port: string | number;
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
};

/**
 * Sends one request. A kept-alive connection that the server closed while it sat idle (Node
 * servers close them after 5 s, and on a busy machine the client sees that late) answers with
 * ECONNRESET before the server read anything: then the request goes once more, on a new
 * connection, as Node's documentation advises (`request.reusedSocket`).
 */
async function send(transport: typeof http | typeof https, agent: http.Agent, request: RawRequest): Promise<RawResponse> {
  try {
    return await sendOnce(transport, agent, request);
  } catch (error) {
    if ((error as { reusedSocket?: boolean }).reusedSocket !== true) throw error;
    // agent false: a new connection, never another kept-alive one.
    return sendOnce(transport, false, request);
  }
}

function sendOnce(transport: typeof http | typeof https, agent: http.Agent | false, request: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = transport.request(
      { method: request.method, host: request.host, port: request.port, path: request.path, headers: request.headers, agent },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            setCookies: res.headers['set-cookie'] ?? [],
          }),
        );
      },
    );
    req.setTimeout(request.timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => {
      // Worth one more try: a reset on a reused connection before any answer came (see send).
      if (error.code === 'ECONNRESET' && req.reusedSocket && !answered) Object.assign(error, { reusedSocket: true });
      reject(error);
    });
    req.end(request.body);
  });
}
