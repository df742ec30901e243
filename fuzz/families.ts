/**
 * The request generator: a table of families (malformed JSON, broken Authorization headers,
 * path tricks...), each a function from a random stream and what the run knows so far to
 * one request, plus the valid requests the run interleaves and checks at the end.
 *
 * @module
 */
import { gzipSync, deflateSync } from 'node:zlib';
import type { Random } from './random.ts';
import type { RawRequest, RawResponse, RawValue } from './raw-http.ts';
import type { FuzzTarget, Route } from './targets.ts';
import { controlStrings, hostileEmail, hostileString, hostileValue, oddEmails, sqlStrings } from './values.ts';

/** A user the run can log in as. */
export interface KnownUser {
  id: string;
  email: string;
  password: string;
  /** Seeded with a cheap hash (see users.ts); users created through the API cost a real scrypt. */
  seeded?: boolean;
}

/** A session cookie a valid login set, and whose it is. */
export interface KnownSession {
  /** The cookie's value as the server sent it (lesson 6's is `s%3A…`). */
  cookie: string;
  userId: string;
}

/** Where a valid login's session goes: see {@link LiveState}. */
export type SessionPool = 'keptSessions' | 'spareSessions' | 'retiringSessions';

/**
 * What the run knows so far. Generators read it; only valid requests' answers change it.
 * Kept sessions are checked at the end, so they never go with a login or a logout; spare
 * ones may be ended by anything; retiring ones are for valid logouts only, and once logged
 * out must stay dead.
 */
export interface LiveState {
  readonly target: FuzzTarget;
  /** Seeded users and users created by valid requests: all must exist at the end. */
  readonly users: KnownUser[];
  /** Sessions that must still authenticate at the end. */
  readonly keptSessions: KnownSession[];
  /** Sessions any request may end. */
  readonly spareSessions: KnownSession[];
  /** Sessions kept for a valid logout; nothing else uses them. */
  readonly retiringSessions: KnownSession[];
  /** Sessions a valid logout ended: none may authenticate at the end. */
  readonly loggedOutSessions: KnownSession[];
  /** Ids of users that hostile requests created (they may be deleted). */
  readonly disposableUserIds: string[];
  /** How many users valid requests created (numbers their emails). */
  created: number;
}

/** What a valid request's answer must be, and what to remember from it. */
export interface ValidAction {
  /** What it does, for messages. */
  name: string;
  /** The status it must get. */
  expect: number;
  /** Reads the answer (it got `expect`); returns a problem, or null. */
  record?: (response: RawResponse, live: LiveState) => string | null;
}

/** One generated request and what the oracle needs to know about it. */
export interface Probe {
  family: string;
  request: RawRequest;
  /** Defaults {@link withDefaults} must not add (e.g. `host`). */
  omit?: string[];
  /** It carries credentials that may be valid: the "nothing without credentials" rule does not apply. */
  authorized: boolean;
  /** Set for the valid requests the run checks. */
  valid?: ValidAction;
  /** It may cost a password hash: the run sends few of these at once. */
  costly?: boolean;
}

/** What a family's generator gets. */
export interface GenContext {
  rng: Random;
  live: LiveState;
  /** Set by the generator when the request may cost a password hash (see {@link costlyChance}). */
  costly?: boolean;
}

/**
 * Chance that a request is allowed to cost a password hash: creating a user, or a login as a
 * user created through the API. The seeded users' hashes are cheap, and so are the ones the
 * campaigns' servers make (`PASSWORD_HASH_COST=low`); at the lessons' own cost (scrypt, about
 * 0.3 s of CPU) these would be most of a run's time.
 */
export const costlyChance = 0.025;

/** The seeded users: their password checks are cheap. */
const seededUsers = (live: LiveState): KnownUser[] => live.users.filter((user) => user.seeded);

// ---------------------------------------------------------------------------------------
// Building blocks

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');

/**
 * Percent-encodes the UTF-8 bytes of `text` (encodeURIComponent throws on a lone surrogate;
 * here it becomes U+FFFD, as a browser would send it).
 *
 * @example
 * pct('a b/\u0000'); // 'a%20b%2F%00'
 */
export function pct(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A form body; arrays become repeated keys, null a key without `=`, objects `key[sub]=`. */
function form(fields: Record<string, unknown>): Buffer {
  const parts: string[] = [];
  // JSON for what is not text: String({ toString: 'x' }) would throw.
  const enc = (value: unknown) => pct(typeof value === 'string' ? value : (JSON.stringify(value) ?? '')).replace(/%20/g, '+');
  for (const [key, value] of Object.entries(fields)) {
    if (value === null) parts.push(enc(key));
    else if (Array.isArray(value)) for (const item of value) parts.push(`${enc(key)}=${enc(item)}`);
    else if (typeof value === 'object') for (const [sub, v] of Object.entries(value)) parts.push(`${enc(key)}[${enc(sub)}]=${enc(v)}`);
    else parts.push(`${enc(key)}=${enc(value)}`);
  }
  return Buffer.from(parts.join('&'), 'utf8');
}

const jsonType: [string, string] = ['Content-Type', 'application/json'];
const formType: [string, string] = ['Content-Type', 'application/x-www-form-urlencoded'];

/** `Authorization: Basic base64(text)`, text as UTF-8 (or raw bytes). */
export function basicHeader(email: string, password: string): string {
  return `Basic ${Buffer.from(`${email}:${password}`, 'utf8').toString('base64')}`;
}

function request(method: string, target: RawValue, headers: [RawValue, RawValue][] = [], body?: Buffer): RawRequest {
  return body ? { method, target, headers, body } : { method, target, headers };
}

/** A route of the target, optionally one that reads a body or answers `method`. */
function pickRoute(ctx: GenContext, filter: (route: Route) => boolean = () => true): Route {
  const routes = ctx.live.target.routes.filter(filter);
  return ctx.rng.pick(routes.length ? routes : ctx.live.target.routes);
}

const withBody = (route: Route) => route.body !== undefined;

/** A user id for `/users/:id`: a known user's for reading, a disposable one or junk for anything. */
function pickUserId(ctx: GenContext, forDelete: boolean): string {
  const { rng, live } = ctx;
  const choices: (() => string)[] = [
    () => `${rng.string(8, '0123456789abcdef')}-${rng.string(4, '0123456789abcdef')}-4${rng.string(3, '0123456789abcdef')}-8${rng.string(3, '0123456789abcdef')}-${rng.string(12, '0123456789abcdef')}`,
    () => pct(hostileString(rng)),
    () => 'me',
  ];
  if (live.disposableUserIds.length) choices.push(() => rng.pick(live.disposableUserIds));
  if (!forDelete) choices.push(() => rng.pick(live.users).id);
  return rng.pick(choices)();
}

function resolvePath(ctx: GenContext, route: Route, method: string): string {
  return route.path.replace(':id', () => pickUserId(ctx, method === 'DELETE'));
}

/** The method a route answers, at random. */
function pickMethod(ctx: GenContext, route: Route): string {
  return ctx.rng.pick(route.methods);
}

/** Whether a request to this route and method may end a session or delete a user. */
function isDestructive(route: Route, method: string): boolean {
  return route.destructive === true && method !== 'GET';
}

/**
 * Headers that authenticate as the lesson expects, or none: a spare session for anything
 * that may end it, a kept one otherwise. On lesson 1 every Basic header costs a password
 * check, so it is sent only rarely.
 */
function credentials(ctx: GenContext, destructive: boolean, basicChance = 0.3): { headers: [string, string][]; authorized: boolean } {
  const { rng, live } = ctx;
  const none = { headers: [], authorized: false };
  switch (live.target.auth) {
    case 'none':
      return { headers: [], authorized: true };
    case 'basic': {
      // A seeded user: the password check is cheap.
      if (!rng.chance(basicChance)) return none;
      const user = rng.pick(seededUsers(live));
      return { headers: [['Authorization', basicHeader(user.email, user.password)]], authorized: true };
    }
    case 'printed':
    case 'login': {
      const pool = destructive ? live.spareSessions : [...live.keptSessions, ...live.spareSessions];
      if (!pool.length) return none;
      return { headers: [['Cookie', `${live.target.sessionName}=${rng.pick(pool).cookie}`]], authorized: true };
    }
  }
}

/** Plausible values for a route's fields; never a known email, so nothing costs a hash. */
function plausibleFields(ctx: GenContext, route: Route): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(route.body?.fields ?? {})) {
    fields[name] = {
      email: () => `nobody.${ctx.rng.string(10)}@example.com`,
      password: () => `pw-${ctx.rng.string(12)}`,
      name: () => ctx.rng.pick(['Ann', 'Bob', 'Zoë']),
      theme: () => ctx.rng.pick(['light', 'dark']),
    }[kind]();
  }
  return fields;
}

/**
 * Creating a user (a valid email and password reaching POST /users past the guard) costs a
 * hash: unless the random stream allows it, the password is taken out again.
 */
function limitCost(ctx: GenContext, route: Route, fields: Record<string, unknown>): Record<string, unknown> {
  // Without a text email and password, nothing is hashed.
  if (route.path !== '/api/v1/users' || typeof fields.email !== 'string' || typeof fields.password !== 'string') return fields;
  if (!ctx.rng.chance(costlyChance * 2)) {
    const { password: _password, ...rest } = fields;
    return rest;
  }
  ctx.costly = true;
  return fields;
}

/** A request to `route` with a body, credentials when `withCredentials`. */
function bodyProbe(
  ctx: GenContext,
  family: string,
  route: Route,
  headers: [RawValue, RawValue][],
  body: Buffer | undefined,
  options: { withCredentials?: boolean; method?: string } = {},
): Probe {
  const method = options.method ?? (route.body ? route.methods.find((m) => m !== 'GET') ?? 'POST' : pickMethod(ctx, route));
  const destructive = isDestructive(route, method);
  const creds = options.withCredentials === false ? { headers: [], authorized: false } : credentials(ctx, destructive);
  return {
    family,
    request: request(method, resolvePath(ctx, route, method), [...creds.headers, ...headers], body),
    authorized: creds.authorized,
  };
}

// ---------------------------------------------------------------------------------------
// The families

/** Malformed and truncated JSON. */
function malformedJson(ctx: GenContext): Probe {
  const { rng } = ctx;
  const route = pickRoute(ctx, withBody);
  const valid = JSON.stringify(plausibleFields(ctx, route));
  const body = rng.pick<() => string | Buffer>([
    () => valid.slice(0, rng.int(1, valid.length - 1)),
    () => valid.slice(rng.int(1, valid.length - 1)),
    () => '{',
    () => '}',
    () => '{"email":}',
    () => '{"email": "a",}',
    () => "{'email': 'a'}",
    () => '{email: "a"}',
    () => '{"email": NaN}',
    () => '{"email": undefined}',
    () => '{"email": "a" /* comment */}',
    () => '{"email": "\\x41"}',
    () => '{"email": "\\u12"}',
    () => '{"email": "a\nb"}',
    () => '{"a":1}{"b":2}',
    () => '\ufeff{"email":"a@b.c"}',
    () => Buffer.from(valid, 'utf16le'),
    () => Buffer.concat([Buffer.from('{"email":"'), rng.bytes(rng.int(1, 40)), Buffer.from('"}')]),
    () => rng.bytes(rng.int(1, 300)),
    () => '"just a string"',
    () => '12345',
    () => 'null',
    () => 'true',
    () => '[]',
    () => '[{"email":"a@b.c","password":"x"}]',
    () => '{"email":"a","email":{"$gt":""}}',
    () => `{"n": 1${'0'.repeat(rng.int(10, 5000))}}`,
    () => '{"n": 1e999999}',
    () => ' ',
    () => '\u0000',
  ])();
  return bodyProbe(ctx, 'malformed-json', route, [jsonType], typeof body === 'string' ? Buffer.from(body, 'utf8') : body, {
    withCredentials: rng.chance(0.5),
  });
}

/** Wrong, missing, or strange Content-Type (and Content-Encoding). */
function contentType(ctx: GenContext): Probe {
  const { rng } = ctx;
  const route = pickRoute(ctx, withBody);
  const fields = limitCost(ctx, route, plausibleFields(ctx, route));
  const body = rng.chance(0.5) ? json(fields) : form(fields);
  const type = rng.pick<string | null>([
    null,
    '',
    'text/plain',
    'application/xml',
    'text/html',
    'application/octet-stream',
    'multipart/form-data; boundary=xyz',
    'multipart/form-data',
    'application/json; charset=utf-8',
    'application/json; charset=latin1',
    'application/json; charset=utf-16',
    'application/json; charset=nope',
    'application/json; charset="utf-8"',
    'APPLICATION/JSON',
    'application/json;;',
    'application/json; =',
    'application/jsonx',
    'application/vnd.api+json',
    'application/*',
    '*/*',
    'application',
    '/',
    ';;;',
    'application/x-www-form-urlencoded; charset=utf-8',
    'application/x-www-form-urlencoded; charset=iso-8859-1',
    'application/x-www-form-urlencoded; charset=unknown',
    `application/json; ${'a=b; '.repeat(rng.int(10, 400))}`,
    `text/${'x'.repeat(rng.int(100, 4000))}`,
  ]);
  const headers: [RawValue, RawValue][] = type === null ? [] : [['Content-Type', type]];
  if (rng.chance(0.2)) headers.push(['Content-Type', rng.pick(['application/json', 'text/plain'])]);
  let payload = body;
  if (rng.chance(0.25)) {
    const encoding = rng.pick(['gzip', 'deflate', 'br', 'compress', 'identity', 'x-unknown', 'gzip, gzip', 'GZIP']);
    headers.push(['Content-Encoding', encoding]);
    if (rng.chance(0.5)) payload = encoding.startsWith('deflate') ? deflateSync(body) : gzipSync(body);
  }
  return bodyProbe(ctx, 'content-type', route, headers, payload, { withCredentials: rng.chance(0.5) });
}

/** Form bodies where JSON is expected and the reverse, and odd form encodings. */
function formJsonSwap(ctx: GenContext): Probe {
  const { rng } = ctx;
  const route = pickRoute(ctx, withBody);
  const fields = limitCost(ctx, route, plausibleFields(ctx, route));
  const shape = rng.pick<() => [[string, string], Buffer]>([
    () => [jsonType, form(fields)],
    () => [formType, json(fields)],
    () => [formType, Buffer.from('email=%ZZ&password=%')]!,
    () => [formType, Buffer.from('email=a&email=b&password=x&password=y')],
    () => [formType, Buffer.from('email[]=a&password[]=b')],
    () => [formType, Buffer.from('email[a]=x&password[b]=y')],
    () => [formType, Buffer.from('&&&===&&')],
    () => [formType, Buffer.from('email&password')],
    () => [formType, Buffer.from('=x&=y')],
    () => [formType, Buffer.from('email=a%00b&password=%00')],
    () => [formType, Buffer.from('email=%C0%AE%C0%AE&password=%ED%A0%80')],
    () => [formType, Buffer.from('__proto__=x&constructor=y&email=a')],
    () => [formType, Buffer.from(Array.from({ length: rng.int(1001, 1500) }, (_, i) => `k${i}=v`).join('&'))],
    () => [formType, Buffer.from(`email=${'%41'.repeat(rng.int(100, 3000))}`)],
    () => [formType, Buffer.concat([Buffer.from('email='), rng.bytes(rng.int(1, 100)), Buffer.from('&password=x')])],
    () => [jsonType, Buffer.from('email=a@b.c&password=x')],
  ])();
  return bodyProbe(ctx, 'form-json-swap', route, [shape[0]], shape[1], { withCredentials: rng.chance(0.5) });
}

/** Bodies over the 10 kB limit, including a compressed one that only grows when inflated. */
function oversizeBody(ctx: GenContext): Probe {
  const { rng } = ctx;
  const route = pickRoute(ctx, withBody);
  const size = rng.weighted([
    [10 * 1024 + 1, 3],
    [10 * 1024 + rng.int(2, 5000), 3],
    [rng.int(16_000, 100_000), 2],
    [1_000_000, 0.2],
  ] as const);
  const filler = 'a'.repeat(size);
  const kind = rng.pick(['json', 'form', 'text', 'chunked', 'gzip-bomb']);
  const headers: [RawValue, RawValue][] = [];
  let body: Buffer;
  switch (kind) {
    case 'json':
      headers.push(jsonType);
      body = json({ email: filler, password: 'x' });
      break;
    case 'form':
      headers.push(formType);
      body = Buffer.from(`email=${filler}&password=x`);
      break;
    case 'text':
      headers.push(['Content-Type', 'text/plain']);
      body = Buffer.from(filler);
      break;
    case 'chunked': {
      // No Content-Length: the limit has to be enforced while reading.
      headers.push(jsonType, ['Transfer-Encoding', 'chunked']);
      const raw = json({ email: filler });
      const chunks: Buffer[] = [];
      for (let i = 0; i < raw.length; i += 4096) {
        const part = raw.subarray(i, i + 4096);
        chunks.push(Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n'));
      }
      chunks.push(Buffer.from('0\r\n\r\n'));
      body = Buffer.concat(chunks);
      break;
    }
    default:
      // Small on the wire, megabytes once inflated.
      headers.push(jsonType, ['Content-Encoding', 'gzip']);
      body = gzipSync(json({ email: 'a'.repeat(rng.int(20_000, 2_000_000)) }));
  }
  return bodyProbe(ctx, 'oversize-body', route, headers, body, { withCredentials: rng.chance(0.5) });
}

/** Deeply nested and very wide JSON. */
function deepJson(ctx: GenContext): Probe {
  const { rng } = ctx;
  const route = pickRoute(ctx, withBody);
  const depth = rng.pick([64, 256, 1000, 2000, 4000, 5000]);
  const body = rng.pick<() => string>([
    () => '['.repeat(depth) + ']'.repeat(depth),
    () => '{"a":'.repeat(Math.min(depth, 1900)) + '1' + '}'.repeat(Math.min(depth, 1900)),
    () => `{"email":${'['.repeat(Math.min(depth, 4000))}${']'.repeat(Math.min(depth, 4000))},"password":"x"}`,
    () => '['.repeat(depth),
    () => `[${'1,'.repeat(rng.int(100, 4900))}1]`,
    () => `{${Array.from({ length: rng.int(100, 900) }, (_, i) => `"k${i}":${i}`).join(',')}}`,
  ])();
  return bodyProbe(ctx, 'deep-json', route, [jsonType], Buffer.from(body), { withCredentials: rng.chance(0.6) });
}

/** Every field replaced by numbers, arrays, objects, null; extra fields (mass assignment). */
function fieldTypes(ctx: GenContext): Probe {
  const { rng } = ctx;
  const route = pickRoute(ctx, withBody);
  const fields = plausibleFields(ctx, route);
  const names = Object.keys(fields);
  const wrong = rng.pick(names);
  for (const name of names) if (name === wrong || rng.chance(0.4)) fields[name] = hostileValue(rng);
  if (rng.chance(0.3)) {
    const extra = rng.pick(['id', 'email', 'password', 'created_at', 'is_admin', 'user_id', 'session_id', 'theme']);
    fields[extra] = rng.chance(0.5) ? hostileValue(rng) : 'x@example.com';
  }
  const asForm = route.body?.encodings.includes('form') && rng.chance(0.4);
  // A wrong type never creates a user, unless a "wrong" value happens to be a string.
  const safe = limitCost(ctx, route, fields);
  return bodyProbe(ctx, 'field-types', route, [asForm ? formType : jsonType], asForm ? form(safe) : json(safe), {
    withCredentials: rng.chance(0.7),
  });
}

/** Very long, non-ASCII, control-character and SQL emails, where emails are read. */
function emails(ctx: GenContext): Probe {
  const { rng, live } = ctx;
  const known = rng.chance(0.1) ? seededUsers(live).map((u) => u.email) : [];
  const email = hostileEmail(rng, known);
  const password = rng.chance(0.8) ? `pw-${rng.string(8)}` : hostileString(rng);
  const where = rng.pick(
    [
      'create',
      ...(live.target.auth === 'basic' || live.target.auth === 'printed' || live.target.auth === 'login' ? ['basic'] : []),
      ...(live.target.auth === 'login' ? ['login', 'login'] : []),
      ...(live.target.lesson === 6 ? ['framework'] : []),
    ],
  );
  switch (where) {
    case 'basic':
      return { family: 'emails', request: request('GET', '/api/v1/users/me', [['Authorization', basicHeader(email, password)]]), authorized: false };
    case 'login': {
      const asForm = rng.chance(0.6);
      const body = asForm ? form({ email, password }) : json({ email, password });
      return { family: 'emails', request: request('POST', '/api/v1/auth_session/login', [asForm ? formType : jsonType], body), authorized: false };
    }
    case 'framework':
      return { family: 'emails', request: request('POST', '/login', [jsonType], json({ username: email, password })), authorized: false };
    default: {
      const route = live.target.routes.find((r) => r.path === '/api/v1/users')!;
      // A valid email and password create a user (a hash): only now and then.
      const fields = limitCost(ctx, route, { email, password, first_name: hostileString(rng) });
      return bodyProbe(ctx, 'emails', route, [jsonType], json(fields), { method: 'POST' });
    }
  }
}

/** Control characters and NUL bytes: escaped in JSON, raw in JSON, forms, headers and paths. */
function controlChars(ctx: GenContext): Probe {
  const { rng, live } = ctx;
  const control = rng.pick(controlStrings);
  const rawByte = Buffer.from([rng.pick([0x00, 0x01, 0x07, 0x08, 0x0b, 0x0c, 0x1b, 0x7f, 0x0a, 0x0d])]);
  const route = pickRoute(ctx);
  const path = resolvePath(ctx, route, 'GET');
  const creds = credentials(ctx, false);
  const shape = rng.pick([
    'json-escaped',
    'json-raw',
    'form',
    'header-value',
    'header-name',
    'path-raw',
    'path-encoded',
    'cookie',
  ]);
  const bodyRoute = pickRoute(ctx, withBody);
  switch (shape) {
    case 'json-escaped': {
      const fields = plausibleFields(ctx, bodyRoute);
      for (const name of Object.keys(fields)) if (rng.chance(0.6)) fields[name] = `${fields[name]}${control}`;
      return bodyProbe(ctx, 'control-chars', bodyRoute, [jsonType], json(limitCost(ctx, bodyRoute, fields)));
    }
    case 'json-raw':
      return bodyProbe(ctx, 'control-chars', bodyRoute, [jsonType], Buffer.concat([Buffer.from('{"email":"a'), rawByte, Buffer.from('b","password":"x"}')]));
    case 'form':
      return bodyProbe(ctx, 'control-chars', bodyRoute, [formType], Buffer.concat([Buffer.from('email=a'), rawByte, Buffer.from(`&password=${pct(control)}`)]));
    case 'header-value':
      return {
        family: 'control-chars',
        request: request('GET', path, [...creds.headers, [rng.pick(['X-Test', 'Authorization', 'Cookie', 'Accept', 'User-Agent']), Buffer.concat([Buffer.from('a'), rawByte, Buffer.from('b')])]]),
        authorized: creds.authorized,
      };
    case 'header-name':
      return {
        family: 'control-chars',
        request: request('GET', path, [[Buffer.concat([Buffer.from('X-'), rng.pick([rawByte, Buffer.from(' '), Buffer.from('('), Buffer.from('é'), Buffer.from('@')]), Buffer.from('y')]), 'z']]),
        authorized: false,
      };
    case 'path-raw':
      return { family: 'control-chars', request: request('GET', Buffer.concat([Buffer.from(path), rawByte, Buffer.from('x')]), creds.headers), authorized: creds.authorized };
    case 'path-encoded': {
      const method = rng.pick(['GET', 'PUT', 'DELETE']);
      // Only a spare session goes with a DELETE, even of a user that cannot exist.
      const deleteCreds = method === 'DELETE' ? credentials(ctx, true) : creds;
      return {
        family: 'control-chars',
        request: request(method, `/api/v1/users/${pct(`x${control}y`)}`, deleteCreds.headers),
        authorized: deleteCreds.authorized,
      };
    }
    default:
      return {
        family: 'control-chars',
        request: request('GET', '/api/v1/users/me', [['Cookie', `${live.target.sessionName}=${pct(control)}`]]),
        authorized: false,
      };
  }
}

/** Authorization headers of every broken shape. */
function authorization(ctx: GenContext): Probe {
  const { rng, live } = ctx;
  const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');
  const someone = `nobody.${rng.string(6)}@example.com`;
  const known = rng.chance(0.1) ? rng.pick(seededUsers(live)) : undefined;
  const value = rng.pick<() => RawValue>([
    () => 'Basic',
    () => 'Basic ',
    () => 'Basic  ',
    () => `basic ${b64(`${someone}:pw`)}`,
    () => `BASIC ${b64(`${someone}:pw`)}`,
    () => `Bearer ${rng.string(32)}`,
    () => 'Digest username="bob", realm="x", nonce="1", uri="/", response="0"',
    () => `Negotiate ${b64(rng.bytes(20))}`,
    () => b64(`${someone}:pw`),
    () => `Basic${b64(`${someone}:pw`)}`,
    () => `Basic\t${b64(`${someone}:pw`)}`,
    () => `Basic ${b64(`${someone}:pw`)} ${b64('x:y')}`,
    () => `Basic ${b64(`${someone}:pw`)},Basic ${b64('x:y')}`,
    () => 'Basic !!!!',
    () => 'Basic a',
    () => 'Basic ab=c',
    () => 'Basic ====',
    () => 'Basic =',
    () => `Basic ${b64(`${someone}:pw`).replace(/=+$/, '')}`,
    () => `Basic ${b64(rng.bytes(30)).replace(/\+/g, '-').replace(/\//g, '_')}`,
    () => `Basic ${b64(Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from(':pw')]))}`,
    () => `Basic ${b64(Buffer.concat([Buffer.from(`${someone}:`), Buffer.from([0xed, 0xa0, 0x80])]))}`,
    () => `Basic ${b64(someone)}`,
    () => `Basic ${b64(`${someone}:a:b:c:d:e:${':'.repeat(rng.int(1, 50))}`)}`,
    () => `Basic ${b64(':pw')}`,
    () => `Basic ${b64(`${someone}:`)}`,
    () => `Basic ${b64(':')}`,
    () => `Basic ${b64('')}`,
    () => `Basic ${b64('\u0000:\u0000')}`,
    () => `Basic ${b64(`${rng.pick(sqlStrings)}:${rng.pick(sqlStrings)}`)}`,
    () => `Basic ${b64(`${hostileEmail(rng)}:pw`)}`,
    () => `Basic ${b64(`${'a'.repeat(rng.int(1000, 8000))}:pw`)}`,
    () => `Basic ${'A'.repeat(rng.int(17_000, 40_000))}`,
    () => Buffer.concat([Buffer.from('Basic '), rng.bytes(rng.int(1, 40)).map((b) => (b < 0x20 || b === 0x7f ? 0x41 : b))]),
    () => `Basic ${b64(`${someone}:${hostileString(rng)}`)}`,
    () => (known ? basicHeader(known.email.toUpperCase(), 'wrong') : 'Basic'),
    () => (known ? basicHeader(known.email, `${known.password}x`) : 'Basic'),
    () => (known ? basicHeader(` ${known.email}`, known.password) : 'Basic'),
  ]);
  const headers: [RawValue, RawValue][] = [['Authorization', value()]];
  // A second Authorization header: Node keeps the first.
  if (rng.chance(0.1)) headers.push(['Authorization', rng.chance(0.5) ? 'Basic' : basicHeader(someone, 'x')]);
  const route = pickRoute(ctx);
  const method = pickMethod(ctx, route);
  const body = route.body && method !== 'GET' ? json(limitCost(ctx, route, plausibleFields(ctx, route))) : undefined;
  if (body) headers.push(jsonType);
  return { family: 'authorization', request: request(method, resolvePath(ctx, route, method), headers, body), authorized: false };
}

/** Session cookies with hostile values, sent twice, in two headers, by the hundred. */
function cookies(ctx: GenContext): Probe {
  const { rng, live } = ctx;
  const name = live.target.sessionName;
  const realId = live.keptSessions.length ? rng.pick(live.keptSessions).cookie : 'x'.repeat(43);
  const hostile = rng.pick<() => RawValue>([
    () => '',
    () => ' ',
    () => 'a',
    () => 'x'.repeat(rng.int(100, 8000)),
    () => 'j:{"a":1}',
    () => 'j:[1,2]',
    () => 'j:"x"',
    () => 'j:123',
    () => 'j:null',
    () => 'j:{',
    () => `j:${pct(JSON.stringify({ userId: rng.pick(live.users).id }))}`,
    () => 's:abc.def',
    () => `s:${rng.string(43)}.${rng.string(43)}`,
    () => `s%3A${rng.string(43)}.${rng.string(43)}`,
    () => 's:',
    () => '%',
    () => '%ZZ',
    () => '%00',
    () => '%E0%A4%A',
    () => '"quoted"',
    () => '""',
    () => '"',
    () => pct(rng.pick(sqlStrings)),
    () => rng.pick(sqlStrings).replace(/;/g, ''),
    () => Buffer.from(rng.pick(oddEmails), 'utf8'),
    () => Buffer.from([0x80, 0xff, 0xfe, 0xc3]),
    () => 'a b',
    () => '=',
    () => 'a=b=c',
    () => realId.slice(0, -1) + (realId.endsWith('A') ? 'B' : 'A'),
    () => `${realId}x`,
    () => realId.slice(0, 20),
    () => realId.toUpperCase(),
    () => 'undefined',
    () => 'null',
    () => '[object Object]',
    () => '__proto__',
    () => Buffer.from(rng.bytes(32).toString('base64url')),
    () => pct(hostileString(rng)),
  ]);
  const value = hostile();
  const pair = (v: RawValue): Buffer => Buffer.concat([Buffer.from(`${name}=`), Buffer.from(v)]);
  const shape = rng.pick(['one', 'twice', 'two-headers', 'kept-twin', 'many', 'names', 'no-equals', 'theme']);
  let headers: [RawValue, RawValue][];
  let authorized = false;
  switch (shape) {
    case 'one':
      headers = [['Cookie', pair(value)]];
      break;
    case 'twice':
      headers = [['Cookie', Buffer.concat([pair(value), Buffer.from('; '), pair(hostile())])]];
      break;
    case 'two-headers':
      headers = [['Cookie', pair(value)], ['Cookie', pair(hostile())]];
      break;
    case 'kept-twin':
      // A valid session and a hostile twin, either order: only on requests that end nothing.
      headers = [['Cookie', rng.chance(0.5) ? Buffer.concat([pair(realId), Buffer.from('; '), pair(value)]) : Buffer.concat([pair(value), Buffer.from('; '), pair(realId)])]];
      authorized = true;
      break;
    case 'many':
      headers = [['Cookie', Buffer.concat([Buffer.from(Array.from({ length: rng.int(50, 600) }, (_, i) => `c${i}=${rng.string(4)}`).join('; ') + '; '), pair(value)])]];
      break;
    case 'names':
      headers = [['Cookie', `${rng.pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty', ''])}=${rng.string(5)}; ${name}=${rng.string(43)}`]];
      break;
    case 'no-equals':
      headers = [['Cookie', rng.pick([name, `;;;`, `; ${name}`, `${name};`, '=x', `${name}==`])]];
      break;
    default:
      headers = [['Cookie', Buffer.concat([Buffer.from('theme='), Buffer.from(rng.pick<RawValue>(['dark', 's:dark.bad', 's%3Adark.bad', 'j:"dark"', value]))])]];
  }
  // With a kept session, only GET: no GET ends a session or deletes a user.
  const route = pickRoute(ctx, (r) => !authorized || r.methods.includes('GET'));
  const method = authorized ? 'GET' : pickMethod(ctx, route);
  return { family: 'cookies', request: request(method, resolvePath(ctx, route, method), headers), authorized };
}

/** Headers over Node's 16 kB limit, and many headers just under it. */
function oversizedHeaders(ctx: GenContext): Probe {
  const { rng, live } = ctx;
  const route = pickRoute(ctx);
  const shape = rng.pick(['one-big', 'one-huge', 'many', 'tiny-many', 'long-name', 'big-cookie', 'huge-cookie']);
  let headers: [RawValue, RawValue][];
  switch (shape) {
    case 'one-big':
      headers = [['X-Big', 'b'.repeat(rng.int(4000, 15000))]];
      break;
    case 'one-huge':
      headers = [['X-Huge', 'h'.repeat(rng.int(17_000, 200_000))]];
      break;
    case 'many':
      headers = Array.from({ length: rng.int(50, 300) }, (_, i) => [`X-H${i}`, 'v'.repeat(rng.int(50, 200))] as [string, string]);
      break;
    case 'tiny-many':
      headers = Array.from({ length: rng.int(1000, 2800) }, (_, i) => [`a${i}`, '1'] as [string, string]);
      break;
    case 'long-name':
      headers = [['X-' + 'n'.repeat(rng.int(1000, 20_000)), 'v']];
      break;
    case 'big-cookie':
      headers = [['Cookie', `${live.target.sessionName}=${'c'.repeat(rng.int(4000, 15000))}`]];
      break;
    default:
      headers = [['Cookie', `${live.target.sessionName}=${'c'.repeat(rng.int(17_000, 60_000))}`]];
  }
  const method = pickMethod(ctx, route);
  return { family: 'oversized-headers', request: request(method, resolvePath(ctx, route, method), headers), authorized: false };
}

/** Unknown, odd and wrong methods on every route. */
function methods(ctx: GenContext): Probe {
  const { rng } = ctx;
  const route = pickRoute(ctx);
  const method = rng.pick([
    'get',
    'Get',
    'FOO',
    'PATCH',
    'PROPFIND',
    'TRACE',
    'CONNECT',
    'M-SEARCH',
    'PURGE',
    'LOCK',
    'MKCOL',
    'COPY',
    'MOVE',
    'SEARCH',
    'LINK',
    'REPORT',
    'SUBSCRIBE',
    'ACL',
    'QUERY',
    'SOURCE',
    'PRI',
    'G E T',
    'GET\u0000',
    'GÉT',
    'X'.repeat(rng.int(20, 2000)),
    'POST',
    'PUT',
    'DELETE',
    'GET',
  ]);
  // Only a spare session may go with a method that could end it.
  const creds = credentials(ctx, true);
  const target = method === 'CONNECT' && rng.chance(0.5) ? '127.0.0.1:80' : resolvePath(ctx, route, 'DELETE');
  // (A POST to /users with credentials would create a user: limitCost keeps that rare.)
  const body = rng.chance(0.3) ? json(limitCost(ctx, route, plausibleFields(ctx, route))) : undefined;
  const headers: [RawValue, RawValue][] = [...creds.headers, ...(body ? [jsonType] : [])];
  return { family: 'methods', request: request(method, target, headers, body), authorized: creds.authorized };
}

/** HEAD and OPTIONS on every route, with and without credentials. */
function headOptions(ctx: GenContext): Probe {
  const { rng } = ctx;
  const route = pickRoute(ctx);
  const method = rng.pick(['HEAD', 'OPTIONS']);
  const creds = rng.chance(0.5) ? credentials(ctx, false) : { headers: [], authorized: false };
  const headers: [RawValue, RawValue][] = [...creds.headers];
  if (method === 'OPTIONS' && rng.chance(0.4)) {
    headers.push(['Origin', 'http://evil.example'], ['Access-Control-Request-Method', rng.pick(['DELETE', 'PUT', 'POST'])]);
  }
  return { family: 'head-options', request: request(method, resolvePath(ctx, route, 'GET'), headers), authorized: creds.authorized };
}

/** `//`, `%2e%2e`, encoded slashes, case, very long paths, absolute and asterisk forms. */
function pathTricks(ctx: GenContext): Probe {
  const { rng } = ctx;
  const route = pickRoute(ctx);
  const method = rng.chance(0.7) ? 'GET' : pickMethod(ctx, route);
  const p = resolvePath(ctx, route, 'DELETE');
  const target = rng.pick<() => RawValue>([
    () => `/${p}`,
    () => p.replace('/v1/', '//v1/'),
    () => `${p}/`,
    () => `${p}//`,
    () => `${p}/.`,
    () => `${p}/..`,
    () => `${p}/../..`,
    () => '/api/v1/%2e%2e/v1/status',
    () => '/api/v1/users/%2e%2e/status',
    () => '/api/v1/users/%2E%2E',
    () => '/api/v1/./users',
    () => '/api/v1/users/../status',
    () => '/api/v1/status/../users',
    () => '/api/v1/status/%2e%2e/users',
    () => '/api/v1/status/..%2fusers',
    () => '/api/v1/auth_session/login/../../users',
    () => '/api/v1/users/me/..',
    () => '/api%2fv1%2fusers',
    () => p.replace(/\//g, '%2f'),
    () => p.replace(/\/([^/]*)$/, '%2F$1'),
    () => p.toUpperCase(),
    () => p.replace('api', 'API'),
    () => `${p}%00`,
    () => `${p}%`,
    () => `${p}%2`,
    () => `${p}%ZZ`,
    () => `${p}%252e%252e`,
    () => `/api/v1/users/%c0%ae%c0%ae`,
    () => `/api/v1/users/%ED%A0%80`,
    () => `${p}?${rng.pick(['__proto__[x]=1', 'a[b][c][d]=1', '%', '%ZZ', '&&&', '=', `a=${'x'.repeat(rng.int(100, 8000))}`, Array.from({ length: 1500 }, (_, i) => `p${i}=1`).join('&')])}`,
    () => `${p}#fragment`,
    () => `${p};jsessionid=x`,
    () => p.replace(/\//g, '\\'),
    () => `${p}%20`,
    () => `/api/v1/users/${'a'.repeat(rng.int(100, 8000))}`,
    () => `/${'x/'.repeat(rng.int(100, 3000))}`,
    () => `/api/v1/users/${'b'.repeat(rng.int(17_000, 40_000))}`,
    () => `http://example.com${p}`,
    () => `http://${'h'.repeat(300)}:99999${p}`,
    () => 'http://',
    () => '*',
    () => p.slice(1),
    () => '',
    () => Buffer.concat([Buffer.from(p), Buffer.from('/é€🙂')]),
    () => Buffer.concat([Buffer.from(`${p}/`), rng.bytes(8).map((b) => (b < 0x21 || b === 0x7f ? 0x80 : b))]),
  ]);
  const creds = rng.chance(0.5) ? credentials(ctx, true) : { headers: [], authorized: false };
  return { family: 'path-tricks', request: request(method, target(), creds.headers), authorized: creds.authorized };
}

/** SQL metacharacters everywhere a value reaches the database. */
function sqlEverywhere(ctx: GenContext): Probe {
  const { rng, live } = ctx;
  const sql = rng.chance(0.8) ? rng.pick(sqlStrings) : `${rng.pick(sqlStrings)}${rng.pick(sqlStrings)}`;
  const where = rng.pick(['id', 'names', 'login', 'basic', 'cookie', 'theme', 'query', 'create', 'framework']);
  const creds = credentials(ctx, where === 'id');
  switch (where) {
    case 'id': {
      const method = rng.pick(['GET', 'PUT', 'DELETE']);
      const body = method === 'PUT' ? json({ first_name: sql }) : undefined;
      return { family: 'sql', request: request(method, `/api/v1/users/${pct(sql)}`, [...creds.headers, ...(body ? [jsonType] : [])], body), authorized: creds.authorized };
    }
    case 'names': {
      // A known user's names: a PUT may change them, nothing else.
      const user = rng.pick(live.users);
      const body = json({ first_name: sql, last_name: rng.pick(sqlStrings), email: sql, id: sql, password: sql });
      return { family: 'sql', request: request('PUT', `/api/v1/users/${user.id}`, [...creds.headers, jsonType], body), authorized: creds.authorized };
    }
    case 'login': {
      const body = rng.chance(0.5) ? form({ email: sql, password: sql }) : json({ email: sql, password: sql });
      return { family: 'sql', request: request('POST', '/api/v1/auth_session/login', [body[0] === 0x7b ? jsonType : formType], body), authorized: false };
    }
    case 'basic':
      return { family: 'sql', request: request('GET', '/api/v1/users/me', [['Authorization', basicHeader(sql, sql)]]), authorized: false };
    case 'cookie':
      return {
        family: 'sql',
        request: request('GET', '/api/v1/users/me', [['Cookie', `${live.target.sessionName}=${pct(sql)}`]]),
        authorized: false,
      };
    case 'theme':
      return { family: 'sql', request: request('PUT', '/api/v1/preferences', [jsonType], json({ theme: sql })), authorized: false };
    case 'query':
      return { family: 'sql', request: request('GET', `/api/v1/users?email=${pct(sql)}&id=${pct(sql)}`, creds.headers), authorized: creds.authorized };
    case 'framework':
      return { family: 'sql', request: request('POST', '/login', [jsonType], json({ username: sql, password: sql })), authorized: false };
    default: {
      const route = live.target.routes.find((r) => r.path === '/api/v1/users')!;
      const fields = limitCost(ctx, route, { email: `${rng.string(6)}${sql}@example.com`, password: sql, first_name: sql, last_name: sql });
      return { family: 'sql', request: request('POST', '/api/v1/users', [...creds.headers, jsonType], json(fields)), authorized: creds.authorized };
    }
  }
}

/** Broken framing: no Host, two lengths, bad chunks, odd versions, Expect, Upgrade, garbage. */
function httpFraming(ctx: GenContext): Probe {
  const { rng } = ctx;
  const route = pickRoute(ctx);
  const path = resolvePath(ctx, route, 'GET');
  const body = Buffer.from('{"email":"a"}');
  const make = (request: RawRequest, omit?: string[]): Probe => ({ family: 'http-framing', request, ...(omit && { omit }), authorized: false });
  const raw = (text: string | Buffer) => make({ method: '', target: '', headers: [], raw: Buffer.from(text) });
  return rng.pick<() => Probe>([
    () => make(request('GET', path), ['host']),
    () => make({ ...request('GET', path), version: 'HTTP/1.0' }, ['host']),
    () => make(request('GET', path, [['Host', 'a'], ['Host', 'b']])),
    () => make(request('GET', path, [['Host', rng.pick(['', ' ', '../..', 'a b', 'x'.repeat(2000), '127.0.0.1:99999', '[::1', 'é.example', 'a@b'])]])),
    () => make(request('POST', '/api/v1/users', [jsonType, ['Content-Length', String(body.length)], ['Transfer-Encoding', 'chunked']], body)),
    () => make(request('POST', '/api/v1/users', [jsonType, ['Transfer-Encoding', 'chunked']], Buffer.from('zz\r\n{}\r\n0\r\n\r\n'))),
    () => make(request('POST', '/api/v1/users', [jsonType, ['Transfer-Encoding', 'chunked']], Buffer.from(`${'f'.repeat(20)}\r\n{}\r\n0\r\n\r\n`))),
    () => make(request('POST', '/api/v1/users', [jsonType, ['Transfer-Encoding', 'chunked, gzip']], Buffer.from('2\r\n{}\r\n0\r\n\r\n'))),
    () => make(request('POST', '/api/v1/users', [jsonType, ['Transfer-Encoding', rng.pick(['identity', 'gzip', 'x', 'chunked, chunked', ' chunked'])]], Buffer.from('2\r\n{}\r\n0\r\n\r\n'))),
    () => make(request('POST', '/api/v1/users', [jsonType, ['Transfer-Encoding', 'chunked']], Buffer.from(`2;${'e'.repeat(rng.int(100, 20_000))}\r\n{}\r\n0\r\n\r\n`))),
    () => make(request('POST', '/api/v1/users', [jsonType, ['Content-Length', rng.pick(['-1', '+13', '13, 13', ' 13', '0x0d', '13.0', '1e1', '99999999999999999999999'])]], body)),
    () => make(request('POST', '/api/v1/users', [jsonType, ['Content-Length', '13'], ['Content-Length', '5']], body)),
    () => make(request('POST', '/api/v1/users', [jsonType, ['Content-Length', '2']], Buffer.from('{}GARBAGE / HTTP/1.1\r\n\r\n'))),
    () => make({ ...request('GET', path), version: rng.pick(['HTTP/1.2', 'HTTP/2.0', 'HTTP/0.9', 'HTTPS/1.1', 'http/1.1', 'HTTP/1', 'HTTP/1.1 x', 'HTTP/11']) }),
    () => raw(`GET ${path}\r\nHost: x\r\n\r\n`),
    () => raw(`GET ${path} HTTP/1.1\nHost: x\nConnection: close\n\n`),
    () => raw(`GET ${path} HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n  b\r\nConnection: close\r\n\r\n`),
    () => raw(`GET ${path} HTTP/1.1\r\nHost: x\r\nNoColonHere\r\nConnection: close\r\n\r\n`),
    () => raw(`GET ${path} HTTP/1.1\r\nHost : x\r\nConnection: close\r\n\r\n`),
    () => raw(`GET  ${path}  HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    () => raw('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
    () => raw(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03])),
    // Empty lines before the request line are allowed (RFC 9112 §2.2).
    () => raw(`\r\n\r\nGET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    // At least 16 bytes, then an empty line: a few random bytes could be the start of a valid request, and wait forever.
    () => raw(Buffer.concat([rng.bytes(rng.int(16, 500)), Buffer.from('\r\n\r\n')])),
    () => make(request('POST', '/api/v1/users', [jsonType, ['Expect', '100-continue']], json({ email: 'x' }))),
    () => make(request('GET', path, [['Expect', rng.pick(['foo', '100-continue, foo', '200-ok', ''])]])),
    () => make(request('GET', path, [['Connection', 'Upgrade'], ['Upgrade', rng.pick(['websocket', 'h2c', 'foo/1'])]])),
    () => make(request('GET', path, [['Connection', 'keep-alive']])),
    () => make(request('GET', path, [['Connection', rng.pick(['close, close', 'foo', 'Host', 'Content-Length'])]])),
    () => make(request('GET', path, [['If-None-Match', rng.pick(['*', 'W/"x"', '"', ''])], ['If-Modified-Since', rng.pick(['Thu, 01 Jan 2099 00:00:00 GMT', 'garbage'])]])),
    () => make(request('GET', path, [['Range', rng.pick(['bytes=0-1', 'bytes=5-1', 'bytes=-1', 'bytes=0-0,1-1,2-2', 'items=1'])]])),
    () => make(request('GET', path, [['Accept', rng.pick(['text/html', 'application/xml', '*/*;q=0', 'foo', ''])], ['Accept-Encoding', rng.pick(['gzip', 'br', 'x', '*;q=0'])]])),
    () => make(request('GET', path, [['X-Forwarded-For', rng.pick(['1.1.1.1', "'; DROP TABLE users;--", 'x'.repeat(1000)])], ['X-Forwarded-Proto', 'https'], ['X-Forwarded-Host', 'evil.example']])),
    () => make(request('GET', path, [['X-HTTP-Method-Override', 'DELETE'], ['X-Method-Override', 'DELETE']])),
  ])();
}

/** Keys that would pollute a prototype: in JSON, forms, cookies and queries. */
function prototypeKeys(ctx: GenContext): Probe {
  const { rng, live } = ctx;
  const route = pickRoute(ctx, withBody);
  const key = rng.pick(['__proto__', 'constructor', 'prototype']);
  const body = rng.pick<() => [[string, string], Buffer]>([
    () => [jsonType, Buffer.from(`{"${key}": {"email": "x@example.com", "isAdmin": true, "userId": "${rng.pick(live.users).id}"}}`)],
    () => [jsonType, Buffer.from(`{"email": "a@example.com", "${key}": {"password": "x"}}`)],
    () => [jsonType, Buffer.from('{"constructor": {"prototype": {"polluted": "yes"}}}')],
    () => [formType, Buffer.from(`${key}[email]=x&${key}=y&email=a`)],
  ])();
  const creds = rng.chance(0.5) ? credentials(ctx, isDestructive(route, 'POST')) : { headers: [], authorized: false };
  const method = route.methods.find((m) => m !== 'GET') ?? 'POST';
  return { family: 'prototype', request: request(method, resolvePath(ctx, route, method), [...creds.headers, body[0]], body[1]), authorized: creds.authorized };
}

// ---------------------------------------------------------------------------------------
// Valid requests: their results are checked at once and again at the end of the run.

function setCookieValue(response: RawResponse, name: string): string | null {
  for (const [header, value] of response.headers) {
    if (header !== 'set-cookie') continue;
    const pair = value.split(';', 1)[0]!;
    const eq = pair.indexOf('=');
    if (pair.slice(0, eq).trim() === name && pair.slice(eq + 1).trim() !== '') return pair.slice(eq + 1).trim();
  }
  return null;
}

function parseJson(response: RawResponse): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(response.body.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The headers a valid request authenticates with (a kept session: valid requests end none). */
export function validCredentials(live: LiveState, rng: Random, session?: KnownSession): [string, string][] {
  switch (live.target.auth) {
    case 'none':
      return [];
    case 'basic': {
      const user = seededUsers(live)[0]!;
      return [['Authorization', basicHeader(user.email, user.password)]];
    }
    default: {
      const kept = session ?? rng.pick(live.keptSessions);
      return [['Cookie', `${live.target.sessionName}=${kept.cookie}`]];
    }
  }
}

/** A kept session of a seeded user, if there is one: from lesson 7 on only they (admins) may create users. */
export function seededSession(live: LiveState, rng: Random): KnownSession | undefined {
  const seeded = new Set(seededUsers(live).map((user) => user.id));
  const sessions = live.keptSessions.filter((session) => seeded.has(session.userId));
  return sessions.length ? rng.pick(sessions) : undefined;
}

/** `POST /api/v1/users` with a fresh email: 201, and the user is remembered. */
export function validCreateUser(live: LiveState, rng: Random): Probe {
  const n = ++live.created;
  const user = { email: `valid.${n}.${rng.string(8)}@example.com`, password: `Pw!${rng.string(14)}` };
  const body = json({ ...user, first_name: 'Valid', last_name: `User ${n}` });
  return {
    family: 'valid',
    request: request('POST', '/api/v1/users', [...validCredentials(live, rng, seededSession(live, rng)), jsonType], body),
    authorized: true,
    costly: true,
    valid: {
      name: `create user ${user.email}`,
      expect: 201,
      record: (response, state) => {
        const answer = parseJson(response);
        if (typeof answer?.id !== 'string' || answer.email !== user.email) return `the 201 did not describe the new user: ${response.body.toString('utf8').slice(0, 200)}`;
        state.users.push({ id: answer.id, email: user.email, password: user.password });
        return null;
      },
    },
  };
}

/** A login as a known user (form or JSON, or lesson 6's `/login`): 200 and a new session cookie. */
export function validLogin(live: LiveState, rng: Random, pool: SessionPool, user = rng.pick(live.users)): Probe {
  const framework = live.target.lesson === 6 && rng.chance(0.25);
  const asForm = !framework && rng.chance(0.7);
  const fields = framework ? { username: user.email, password: user.password } : { email: user.email, password: user.password };
  return {
    family: 'valid',
    request: request('POST', framework ? '/login' : '/api/v1/auth_session/login', [asForm ? formType : jsonType], asForm ? form(fields) : json(fields)),
    authorized: true,
    costly: !user.seeded,
    valid: {
      name: `log in as ${user.email}${framework ? ' at /login' : ''}`,
      expect: 200,
      record: (response, state) => {
        const cookie = setCookieValue(response, state.target.sessionName);
        if (!cookie) return 'the login set no session cookie';
        state[pool].push({ cookie, userId: user.id });
        return null;
      },
    },
  };
}

/** `GET /api/v1/users/me` with a kept session: 200 and that session's user. */
function validMe(live: LiveState, rng: Random): Probe {
  const session = live.keptSessions.length ? rng.pick(live.keptSessions) : undefined;
  // Lesson 0 has no "me": a known user by id instead.
  const expectedId = session?.userId ?? (live.target.auth === 'none' ? rng.pick(live.users).id : live.users[0]!.id);
  const path = live.target.auth === 'none' ? `/api/v1/users/${expectedId}` : '/api/v1/users/me';
  return {
    family: 'valid',
    request: request('GET', path, validCredentials(live, rng, session)),
    authorized: true,
    valid: {
      name: 'who am I',
      expect: 200,
      record: (response) => {
        const answer = parseJson(response);
        return answer?.id === expectedId ? null : `/users/me answered another user: ${response.body.toString('utf8').slice(0, 200)}`;
      },
    },
  };
}

/** A valid logout of a retiring session: 200, and the session must stay dead. */
function validLogout(live: LiveState, rng: Random): Probe {
  // Taken out of the pool now: no other request may use it from here on.
  const session = live.retiringSessions.splice(rng.int(0, live.retiringSessions.length - 1), 1)[0]!;
  const framework = live.target.lesson === 6 && rng.chance(0.3);
  return {
    family: 'valid',
    request: request(framework ? 'POST' : 'DELETE', framework ? '/logout' : '/api/v1/auth_session/logout', [['Cookie', `${live.target.sessionName}=${session.cookie}`]]),
    authorized: true,
    valid: {
      name: `log out${framework ? ' at /logout' : ''}`,
      expect: 200,
      record: (_response, state) => {
        state.loggedOutSessions.push(session);
        return null;
      },
    },
  };
}

function valid(ctx: GenContext): Probe {
  const { rng, live } = ctx;
  const kind = rng.weighted([
    ['me', live.target.auth === 'basic' ? 1 : 5],
    ['create', 2],
    ['login', live.target.auth === 'login' ? 3 : 0],
    ['logout', live.retiringSessions.length ? 2 : 0],
  ] as const);
  if (kind === 'create') return validCreateUser(live, rng);
  if (kind === 'login') return validLogin(live, rng, rng.pick(['keptSessions', 'spareSessions', 'retiringSessions'] as const));
  if (kind === 'logout') return validLogout(live, rng);
  return validMe(live, rng);
}

// ---------------------------------------------------------------------------------------
// The table

/** One family of requests and how often it is drawn. */
export interface Family {
  name: string;
  weight: number;
  generate(ctx: GenContext): Probe;
}

/** Every family, with its weight (out of about 100). */
export const families: readonly Family[] = [
  { name: 'malformed-json', weight: 8, generate: malformedJson },
  { name: 'content-type', weight: 6, generate: contentType },
  { name: 'form-json-swap', weight: 5, generate: formJsonSwap },
  { name: 'oversize-body', weight: 3, generate: oversizeBody },
  { name: 'deep-json', weight: 3, generate: deepJson },
  { name: 'field-types', weight: 9, generate: fieldTypes },
  { name: 'emails', weight: 6, generate: emails },
  { name: 'control-chars', weight: 6, generate: controlChars },
  { name: 'authorization', weight: 8, generate: authorization },
  { name: 'cookies', weight: 8, generate: cookies },
  { name: 'oversized-headers', weight: 3, generate: oversizedHeaders },
  { name: 'methods', weight: 5, generate: methods },
  { name: 'head-options', weight: 6, generate: headOptions },
  { name: 'path-tricks', weight: 8, generate: pathTricks },
  { name: 'sql', weight: 7, generate: sqlEverywhere },
  { name: 'http-framing', weight: 4, generate: httpFraming },
  { name: 'prototype', weight: 2, generate: prototypeKeys },
  { name: 'valid', weight: 1.5, generate: valid },
];

// ---------------------------------------------------------------------------------------
// The sweep: every route and every field, sent first in every run, whatever its size.

/** The values of a wrong type that every field gets in the sweep. */
const wrongTypes: readonly unknown[] = [42, ['x@example.com'], { $gt: '' }, null];

const sweeps = new Map<FuzzTarget, ((ctx: GenContext) => Probe)[]>();

/**
 * The requests every run begins with, in a fixed order: HEAD and OPTIONS on every route,
 * without and with credentials; then every body field of every route as a number, an array,
 * an object and null. The random families may miss one; these never do.
 */
export function sweep(target: FuzzTarget): readonly ((ctx: GenContext) => Probe)[] {
  const cached = sweeps.get(target);
  if (cached) return cached;
  const makers: ((ctx: GenContext) => Probe)[] = [];
  for (const route of target.routes) {
    for (const method of ['HEAD', 'OPTIONS']) {
      for (const withCredentials of [false, true]) {
        makers.push((ctx) => {
          const creds = withCredentials ? credentials(ctx, false, 1) : { headers: [], authorized: false };
          return { family: 'sweep', request: request(method, resolvePath(ctx, route, 'GET'), creds.headers), authorized: creds.authorized };
        });
      }
    }
  }
  for (const route of target.routes) {
    for (const field of Object.keys(route.body?.fields ?? {})) {
      for (const value of wrongTypes) {
        makers.push((ctx) => {
          const fields = limitCost(ctx, route, { ...plausibleFields(ctx, route), [field]: value });
          return bodyProbe(ctx, 'sweep', route, [jsonType], json(fields));
        });
      }
    }
  }
  sweeps.set(target, makers);
  return makers;
}

/** Request `index` of a run: the sweep first, then a family drawn at random. */
export function generate(ctx: GenContext, index: number): Probe {
  const sweepers = sweep(ctx.live.target);
  const family = index < sweepers.length ? undefined : ctx.rng.weighted(families.map((f) => [f, f.weight] as const));
  const probe = family ? family.generate(ctx) : sweepers[index]!(ctx);
  return ctx.costly ? { ...probe, costly: true } : probe;
}

