/**
 * The curriculum manifest: what each lesson is, in one place. The check runner, the fuzzer,
 * the benchmark, the docs site and the servers' banners read it; the `package.json` scripts
 * and the README's lesson table are tested against it. Adding a lesson is one folder under
 * `lessons/` plus one entry here.
 *
 * It imports nothing, so that any tool can read it without loading a lesson.
 *
 * @module
 */

/**
 * How a client proves who it is to a server:
 * - `none`: it needn't, nothing is guarded (lesson 0);
 * - `nobody`: it can't, no credential is accepted (`AUTH_TYPE=auth`, the base class);
 * - `basic`: an `Authorization: Basic` header on every request;
 * - `printed`: the session id the server prints at start (lesson 2 has no login route);
 * - `form`: `POST /api/v1/auth_session/login` with `email` and `password`, then the cookie.
 */
export type LoginKind = 'none' | 'nobody' | 'basic' | 'printed' | 'form';

/**
 * One step of a lesson's exercise (`npm run learn`): one function or method the learner
 * writes, in the course's task order. The reference code marks it with a `@step N.S` tag,
 * from which the workspace's stub is made; the test named here grades it.
 */
export interface Step {
  /** `2.3`: the lesson's number, then the step's place in the lesson (1, 2, ...). */
  readonly id: string;
  /** What the learner writes, as the stub names it: `SessionAuth.userIdForSessionId`. */
  readonly name: string;
  /** Its file, from the lesson's folder: `session-auth.ts`. */
  readonly file: string;
  /** What to write, in one line. */
  readonly task: string;
  /** The heading (as its anchor) of the lesson's notes that explains it: `the-guard`. */
  readonly section: string;
  /** The test that grades it: a module from the project root, `#`, its export. */
  readonly test: string;
  /** Two or three hints, each saying more than the one before. */
  readonly hints: readonly string[];
}

/** One lesson of the course. */
export interface Lesson {
  /** 0, 1, 2, ... in reading order. */
  readonly number: number;
  /** Its folder under `lessons/`: `03-session-login`. */
  readonly folder: string;
  /** As in its notes' first heading and its banner: `Session login and logout`. */
  readonly title: string;
  /** One line on what it adds to the lesson before (the README's lesson table). */
  readonly adds: string;
  /** The `AUTH_TYPE` its server uses when none is set (`null`: no authentication at all). */
  readonly authType: string | null;
  /**
   * The `AUTH_TYPE` values this lesson introduces (or redefines), and how a client logs in
   * under each. A server accepts every type taught up to its lesson ({@link authTypesOf}).
   */
  readonly teaches: Readonly<Record<string, LoginKind>>;
  /** The server reads the users when it starts (lesson 2 prints a session for the first one). */
  readonly readsUsersAtStart?: boolean;
  /**
   * The server has an admin role (`npm run user:add -- … --admin`): the check runner makes its
   * seeded users admins, so that the course's checks of the users API keep the rights they
   * assume, and a plain user is one an admin creates.
   */
  readonly adminRole?: boolean;
  /**
   * Environment the check runner, the fuzzer and the benchmark start its server with, besides
   * `AUTH_TYPE`: settings the server's defaults would make them trip over (the cookie's name,
   * limits on logins from one address), which its own checks set back where they test them.
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * The server keeps its sessions in Redis (`REDIS_URL`): the check runner, the fuzzer and the
   * benchmark start a `redis-server` for each server they start on a fresh database, and give
   * every server that shares that database the same `REDIS_URL`.
   */
  readonly redis?: boolean;
  /** What the learner writes in exercise mode, in order (none yet: the lesson is only read). */
  readonly steps?: readonly Step[];
}

/** Every lesson, in order. */
export const lessons: readonly Lesson[] = [
  {
    number: 0,
    folder: '00-users-api',
    title: 'The users API',
    adds: 'the plain users API: status, stats, users CRUD, JSON errors',
    authType: null,
    teaches: {},
    steps: [
      {
        id: '0.1',
        name: 'listUsers',
        file: 'views/users.ts',
        task: '`GET /users`: every user, as JSON',
        section: 'the-routes',
        test: 'learn/steps/lesson-00.ts#listUsers',
        hints: [
          'The `User` model (shared/models/user.ts) already knows how to read every row.',
          '`User.all()` returns the users; `res.json()` turns each one into the course\'s JSON through its `toJSON`.',
          'One line: `res.json(User.all());`',
        ],
      },
      {
        id: '0.2',
        name: 'showUser',
        file: 'views/users.ts',
        task: '`GET /users/:id`: the user, or 404 `{"error": "Not found"}`',
        section: 'the-routes',
        test: 'learn/steps/lesson-00.ts#showUser',
        hints: [
          'The id is a route parameter; an unknown id is not an error of the server, it is a 404.',
          '`User.get(id)` returns the user or null; `req.params.id` is the id.',
          'Look the user up; without one answer `res.status(404).json({ error: \'Not found\' })`, else `res.json(user)`.',
        ],
      },
      {
        id: '0.3',
        name: 'createUser',
        file: 'views/users.ts',
        task: '`POST /users`: check the body in the course\'s order, then create the user (201)',
        section: 'the-routes',
        test: 'learn/steps/lesson-00.ts#createUser',
        hints: [
          'Check in this order, answering 400 at the first problem: a JSON object body ("Wrong format"), an email ("email missing"), a password ("password missing").',
          '`jsonObject(req)` and `textField(body, name)` (above, given) do the reading; `user.setPassword()` is async (scrypt); `user.save()` throws `DuplicateEmailError` for an email that is taken.',
          'Build a `new User()` with email, first and last name, `await user.setPassword(password)`, `save()` in a try (a `DuplicateEmailError` answers 400 `Can\'t create User: <message>`), then `res.status(201).json(user)`.',
        ],
      },
      {
        id: '0.4',
        name: 'updateUser',
        file: 'views/users.ts',
        task: '`PUT /users/:id`: change the first and last name, nothing else',
        section: 'the-routes',
        test: 'learn/steps/lesson-00.ts#updateUser',
        hints: [
          'An unknown id is a 404 before anything else; then the body must be a JSON object ("Wrong format").',
          'Only `first_name` and `last_name` change, and only when the body has them as text: an email or an id in the body is ignored.',
          'After the checks: `if (typeof body.first_name === \'string\') user.firstName = body.first_name;` (the same for the last name), `user.save()`, `res.json(user)`.',
        ],
      },
      {
        id: '0.5',
        name: 'deleteUser',
        file: 'views/users.ts',
        task: '`DELETE /users/:id`: remove the user, answer `{}`',
        section: 'the-routes',
        test: 'learn/steps/lesson-00.ts#deleteUser',
        hints: [
          'The same 404 as `showUser` for an unknown id.',
          '`user.remove()` deletes the row; the course answers an empty JSON object.',
        ],
      },
    ],
  },
  {
    number: 1,
    folder: '01-basic-auth',
    title: 'Basic auth',
    adds: '`Auth` and `BasicAuth`: the `Authorization` header, 401 and 403, `/users/me`',
    authType: 'basic_auth',
    teaches: { auth: 'nobody', basic_auth: 'basic' },
    steps: [
      {
        id: '1.1',
        name: 'Auth.requireAuth',
        file: 'auth.ts',
        task: 'Does this path need authentication? Excluded paths, with or without a trailing slash, and `*` at the end',
        section: 'the-guard',
        test: 'learn/steps/lesson-01.ts#requireAuth',
        hints: [
          'Without a path, or without any excluded path, everything needs authentication: return true.',
          'Compare paths with a trailing slash added to both (`/api/v1/status` and `/api/v1/status/` are one path); an excluded entry ending in `*` matches every path that starts with what comes before the `*`.',
          'Return the opposite of `excludedPaths.some(...)`, where each entry matches either as a prefix (`*`) or as equal, once both sides end in `/`. `withSlash()` (above) is given.',
        ],
      },
      {
        id: '1.2',
        name: 'BasicAuth.extractBase64AuthorizationHeader',
        file: 'basic-auth.ts',
        task: 'The base64 part of an `Authorization: Basic ...` header, or null',
        section: 'decoding-the-header',
        test: 'learn/steps/lesson-01.ts#extractBase64AuthorizationHeader',
        hints: [
          'Anything that is not a string starting with `Basic ` (with the space) gives null.',
          '`typeof header === \'string\'`, `header.startsWith(\'Basic \')`, and `slice` off the scheme.',
        ],
      },
      {
        id: '1.3',
        name: 'BasicAuth.decodeBase64AuthorizationHeader',
        file: 'basic-auth.ts',
        task: 'The text a base64 value decodes to, or null for bad base64 or bytes that are not UTF-8',
        section: 'decoding-the-header',
        test: 'learn/steps/lesson-01.ts#decodeBase64AuthorizationHeader',
        hints: [
          '`Buffer.from(value, \'base64\')` never fails: it skips what it does not understand. So check the value first.',
          'The `BASE64` pattern (above, given) accepts only strict base64; `utf8.decode()` (a `TextDecoder` with `fatal: true`, given) throws on bytes that are not UTF-8.',
          'Not a string or not `BASE64.test(value)`: null. Otherwise `try { return utf8.decode(Buffer.from(value, \'base64\')); } catch { return null; }`.',
        ],
      },
      {
        id: '1.4',
        name: 'BasicAuth.extractUserCredentials',
        file: 'basic-auth.ts',
        task: 'Email and password, split at the first colon',
        section: 'decoding-the-header',
        test: 'learn/steps/lesson-01.ts#extractUserCredentials',
        hints: [
          'A password may contain colons, an email may not: split at the first one only.',
          '`indexOf(\':\')` finds the first colon (-1 when there is none: `[null, null]`); `slice` gives the two parts.',
        ],
      },
      {
        id: '1.5',
        name: 'BasicAuth.userObjectFromCredentials',
        file: 'basic-auth.ts',
        task: 'The user with this email and password, or null',
        section: 'decoding-the-header',
        test: 'learn/steps/lesson-01.ts#userObjectFromCredentials',
        hints: [
          'Two questions: is there a user with this email, and is this their password? Either "no" gives null.',
          '`User.search({ email })` returns a list (emails are compared without case); `await user.isValidPassword(password)` checks the password.',
        ],
      },
      {
        id: '1.6',
        name: 'BasicAuth.currentUser',
        file: 'basic-auth.ts',
        task: 'The user the request\'s `Authorization` header names: the four steps before, chained',
        section: 'the-guard',
        test: 'learn/steps/lesson-01.ts#currentUser',
        hints: [
          'Each of the methods you wrote takes what the one before returns, and returns null when its input is wrong: chain them.',
          '`this.authorizationHeader(req)` → `extractBase64AuthorizationHeader` → `decodeBase64AuthorizationHeader` → `extractUserCredentials` → `userObjectFromCredentials`.',
        ],
      },
    ],
  },
  {
    number: 2,
    folder: '02-session-auth',
    title: 'Session auth',
    adds: '`SessionAuth`: random session ids in a cookie, kept in memory',
    authType: 'session_auth',
    teaches: { session_auth: 'printed' },
    readsUsersAtStart: true,
    steps: [
      {
        id: '2.1',
        name: 'newSessionId',
        file: 'session-auth.ts',
        task: 'A new session id: 32 random bytes from the operating system, in base64url',
        section: 'what-the-original-got-wrong-and-what-we-do-instead',
        test: 'learn/steps/lesson-02.ts#newSessionId',
        hints: [
          'A session id is as good as a password: it must be unguessable. `Math.random()` is not a source of secrets.',
          '`randomBytes(n)` from `node:crypto` is the operating system\'s CSPRNG; 32 bytes are 256 bits, and `toString(\'base64url\')` makes 43 characters that are safe in a cookie.',
        ],
      },
      {
        id: '2.2',
        name: 'SessionAuth.createSession',
        file: 'session-auth.ts',
        task: 'Start a session: a new id, remembered with its user id',
        section: 'what-this-lesson-adds',
        test: 'learn/steps/lesson-02.ts#createSession',
        hints: [
          'A user id that is not a string gives null; otherwise a new id, remembered, and returned.',
          '`this.sessions` is a `Map` from session id to `{ userId }`; `newSessionId()` makes the id.',
        ],
      },
      {
        id: '2.3',
        name: 'SessionAuth.userIdForSessionId',
        file: 'session-auth.ts',
        task: 'The user id behind a session id, or null',
        section: 'what-this-lesson-adds',
        test: 'learn/steps/lesson-02.ts#userIdForSessionId',
        hints: [
          'Look the id up in `this.sessions`; anything that is not a string, or not there, gives null.',
          '`this.sessions.get(sessionId)?.userId ?? null`, after the type check.',
        ],
      },
      {
        id: '2.4',
        name: 'sessionCookie',
        file: 'session-auth.ts',
        task: 'The value of the cookie named `name`, or null; only ever a string',
        section: 'the-guard-with-cookies',
        test: 'learn/steps/lesson-02.ts#sessionCookie',
        hints: [
          'cookie-parser (in app.ts, given) has already parsed the `Cookie` header into `req.cookies`.',
          'cookie-parser turns a value like `j:{"a":1}` into an object: a session id is only ever a string. And `req.cookies` may be missing altogether.',
          '`const value: unknown = req.cookies?.[name]; return typeof value === \'string\' ? value : null;`',
        ],
      },
      {
        id: '2.5',
        name: 'SessionAuth.hasCredentials',
        file: 'session-auth.ts',
        task: 'Credentials, for the guard\'s 401: an `Authorization` header or a session cookie',
        section: 'the-guard-with-cookies',
        test: 'learn/steps/lesson-02.ts#hasCredentials',
        hints: [
          'The guard answers 401 only when the request has neither kind of credentials; a bad cookie is a 403, not a 401.',
          '`super.hasCredentials(req)` is lesson 1\'s rule (the header); `this.sessionCookie(req)` is null without the cookie.',
        ],
      },
      {
        id: '2.6',
        name: 'SessionAuth.currentUser',
        file: 'session-auth.ts',
        task: 'The user behind the request\'s session cookie, or null',
        section: 'what-this-lesson-adds',
        test: 'learn/steps/lesson-02.ts#currentUser',
        hints: [
          'Cookie → session id → user id → user, where any missing link gives null.',
          '`this.sessionCookie(req)`, then `this.userIdForSessionId(...)`, then `User.get(userId)`.',
        ],
      },
    ],
  },
  {
    number: 3,
    folder: '03-session-login',
    title: 'Session login and logout',
    adds: '`SessionLoginAuth`: login and logout, cookie attributes, no session fixation',
    authType: 'session_auth',
    teaches: { session_auth: 'form' },
    steps: [
      {
        id: '3.1',
        name: 'checkLogin',
        file: 'session-views.ts',
        task: 'The login\'s checks in the course\'s order: the user, or the status and error why not',
        section: 'login',
        test: 'learn/steps/lesson-03.ts#checkLogin',
        hints: [
          'Four checks, in the order of the notes\' table, each with its own status and error string; the first that fails decides.',
          '`field(req, name)` (above, given) reads a non-empty text field of a form or JSON body; `User.search({ email })` and `await user.isValidPassword(password)` do the rest.',
          'email missing → `{ status: 400, error: \'email missing\' }`, password missing → 400 `password missing`, no user → 404 `no user found for this email`, bad password → 401 `wrong password`; else return the user.',
        ],
      },
      {
        id: '3.2',
        name: 'SessionLoginAuth.cookieOptions',
        file: 'session-login-auth.ts',
        task: 'The session cookie\'s attributes: HttpOnly, SameSite=Lax, Path=/, Secure from the configuration',
        section: 'login',
        test: 'learn/steps/lesson-03.ts#cookieOptions',
        hints: [
          'Each attribute closes a door: page scripts reading the cookie, other sites sending it, other paths or hosts getting it, plain HTTP carrying it.',
          'Express\'s `CookieOptions`: `httpOnly`, `sameSite`, `path`, `secure`; `this.config.cookieSecure` is `COOKIE_SECURE`.',
        ],
      },
      {
        id: '3.3',
        name: 'SessionLoginAuth.destroySession',
        file: 'session-login-auth.ts',
        task: 'End the session the request\'s cookie names; true when there was one',
        section: 'logout',
        test: 'learn/steps/lesson-03.ts#destroySession',
        hints: [
          'No request, no cookie, or a cookie that names no session: false, and nothing changes.',
          '`this.sessionCookie(req)` is the id, `this.userIdForSessionId(id)` says whether it is live, and `this.sessions.delete(id)` ends it.',
        ],
      },
      {
        id: '3.4',
        name: 'login',
        file: 'session-views.ts',
        task: '`POST /auth_session/login`: the checks, then a fresh session and its cookie',
        section: 'login',
        test: 'learn/steps/lesson-03.ts#login',
        hints: [
          'A failed check answers its status and error; a good login never keeps the session id the request came with (session fixation).',
          '`checkLogin(req)` returns a `User` or a `LoginError`; `auth.destroySession(req)` ends any session the request brought; `auth.createSession(user.id)` makes the new one.',
          'After `res.set(\'Cache-Control\', \'no-store\')` (given): `res.cookie(auth.sessionName, sessionId, auth.cookieOptions())` and `res.json(user)`.',
        ],
      },
      {
        id: '3.5',
        name: 'logout',
        file: 'session-views.ts',
        task: '`DELETE /auth_session/logout`: end the session on the server, clear the cookie in the browser',
        section: 'logout',
        test: 'learn/steps/lesson-03.ts#logout',
        hints: [
          'Two things end a session: forgetting it on the server, and telling the browser to drop the cookie.',
          '`auth.destroySession(req)` (false: 404 `Not found`), then `res.clearCookie(name, options)` with the same options the cookie was set with, then `res.json({})`.',
        ],
      },
    ],
  },
  {
    number: 4,
    folder: '04-session-expiry',
    title: 'Session expiry',
    adds: '`SessionExpAuth`: absolute and idle expiry, a sweeper',
    authType: 'session_exp_auth',
    teaches: { session_exp_auth: 'form' },
    steps: [
      {
        id: '4.1',
        name: 'isExpired',
        file: 'session-exp-auth.ts',
        task: 'Is a session past its absolute lifetime, or idle for too long? (0 = no limit)',
        section: 'what-this-lesson-adds',
        test: 'learn/steps/lesson-04.ts#isExpired',
        hints: [
          'Two independent limits; either one alone expires the session, and a limit of 0 never does.',
          'Expired at the very millisecond the limit is reached: `now >= createdAt + durationMs`, and the same with `lastUsedAt` and `idleMs`.',
        ],
      },
      {
        id: '4.2',
        name: 'SessionExpAuth.createSession',
        file: 'session-exp-auth.ts',
        task: 'Start a session that remembers when it was created and last used',
        section: 'what-this-lesson-adds',
        test: 'learn/steps/lesson-04.ts#createSession',
        hints: [
          'Lesson 2\'s `createSession`, with two more fields in the record: the clock\'s time, twice.',
          'Read the time from `this.now()` (never `Date.now()`: the tests move the clock), and store `{ userId, createdAt: now, lastUsedAt: now }`.',
        ],
      },
      {
        id: '4.3',
        name: 'SessionExpAuth.userIdForSessionId',
        file: 'session-exp-auth.ts',
        task: 'The user id of a live session; an expired one is deleted on sight, a live one marked as used',
        section: 'why-the-server-enforces-expiry-not-the-cookie',
        test: 'learn/steps/lesson-04.ts#userIdForSessionId',
        hints: [
          'The server decides expiry, whatever cookie the client still sends: check every time a session is used.',
          '`isExpired(session, now, this.limits)`; an expired session is deleted from `this.sessions` and gives null.',
          'A live session gets `session.lastUsedAt = now` (that is what the idle timeout measures) and returns its `userId`.',
        ],
      },
      {
        id: '4.4',
        name: 'SessionExpAuth.cookieOptions',
        file: 'session-exp-auth.ts',
        task: 'Lesson 3\'s cookie, with `Max-Age` matching `SESSION_DURATION`',
        section: 'why-the-server-enforces-expiry-not-the-cookie',
        test: 'learn/steps/lesson-04.ts#cookieOptions',
        hints: [
          'Start from `super.cookieOptions()`: only the lifetime is new.',
          'Express\'s `maxAge` is in milliseconds and sent as whole seconds: round `this.limits.durationMs` up to a whole second, and set nothing without a duration.',
        ],
      },
      {
        id: '4.5',
        name: 'SessionExpAuth.sweepExpired',
        file: 'session-exp-auth.ts',
        task: 'Delete every expired session; return how many',
        section: 'why-a-sweeper',
        test: 'learn/steps/lesson-04.ts#sweepExpired',
        hints: [
          'Most expired sessions are never presented again: the sweeper goes through all of them.',
          'Loop over `this.sessions` (a `Map` may be changed while you iterate it), delete each `isExpired` one, and count.',
        ],
      },
    ],
  },
  {
    number: 5,
    folder: '05-db-sessions',
    title: 'Sessions in SQLite',
    adds: '`SessionDBAuth`: sessions in SQLite, hashed at rest, shared by processes, surviving restarts',
    authType: 'session_db_auth',
    teaches: { session_db_auth: 'form' },
    steps: [
      {
        id: '5.1',
        name: 'SessionDBAuth.createSession',
        file: 'session-db-auth.ts',
        task: 'Start a session stored as a `UserSession` row: the id only as a hash',
        section: 'hashed-at-rest',
        test: 'learn/steps/lesson-05.ts#createSession',
        hints: [
          'The row holds the user and the times; the id itself must never be stored, only its hash.',
          '`UserSession.create(userId, sessionId, createdAt)` (shared/models/user-session.ts) hashes the id and returns null for an unknown user; read the time from `this.now()`.',
        ],
      },
      {
        id: '5.2',
        name: 'SessionDBAuth.findLiveSession',
        file: 'session-db-auth.ts',
        task: 'The stored session for an id, if it is still live; an expired row is deleted when found',
        section: 'expiry-from-the-stored-times',
        test: 'learn/steps/lesson-05.ts#findLiveSession',
        hints: [
          'The row\'s own times decide, so a restart neither resets nor extends a session.',
          '`UserSession.findBySessionId(id)`, then lesson 4\'s `isExpired` on `{ createdAt: session.createdAt.getTime(), lastUsedAt: session.lastUsedAt.getTime() }`.',
          'Expired: `session.remove()` and null. Not a string or not found: null. Otherwise the session.',
        ],
      },
      {
        id: '5.3',
        name: 'SessionDBAuth.recordUse',
        file: 'session-db-auth.ts',
        task: 'Record a use at `now`, with as few writes as the idle timeout allows',
        section: 'expiry-from-the-stored-times',
        test: 'learn/steps/lesson-05.ts#recordUse',
        hints: [
          'Only the idle timeout reads the last use: without one, write nothing and return true.',
          'With one, write only when the stored last use is at least `idleMs * lastUseWriteFraction` old; `session.markUsed(new Date(now))` writes it and returns false when the row is gone.',
        ],
      },
      {
        id: '5.4',
        name: 'SessionDBAuth.userIdForSessionId',
        file: 'session-db-auth.ts',
        task: 'The user id of a live stored session, its use recorded',
        section: 'expiry-from-the-stored-times',
        test: 'learn/steps/lesson-05.ts#userIdForSessionId',
        hints: [
          'The two helpers before do the work: find the live session, record its use.',
          'Read `this.now()` once; no session, or `recordUse` false (another process logged it out): null.',
        ],
      },
      {
        id: '5.5',
        name: 'SessionDBAuth.destroySession',
        file: 'session-db-auth.ts',
        task: 'End the stored session the cookie names; true only when a live one was ended',
        section: 'several-processes-one-file',
        test: 'learn/steps/lesson-05.ts#destroySession',
        hints: [
          'Lesson 3\'s contract: true for a live session ended, false otherwise; an expired row goes all the same.',
          '`this.findLiveSession(this.sessionCookie(req), this.now())`, then `session.remove()`, which is false when another process removed it first.',
        ],
      },
      {
        id: '5.6',
        name: 'SessionDBAuth.sweepExpired',
        file: 'session-db-auth.ts',
        task: 'Delete the expired rows in batches; return how many',
        section: 'expiry-from-the-stored-times',
        test: 'learn/steps/lesson-05.ts#sweepExpired',
        hints: [
          'The same rule as `isExpired`, as bounds on the stored times: created at or before `now - durationMs`, or used at or before `now - idleMs` (a limit of 0 gives no bound).',
          '`UserSession.removeExpired({ createdBefore, usedBefore, limit })` deletes one batch and returns how many rows; repeat while a batch was full, up to `purgeMaxRowsPerSweep`.',
        ],
      },
    ],
  },
  {
    number: 6,
    folder: '06-express-session',
    title: 'express-session',
    adds: 'the library way: express-session with our own SQLite store, signed cookies, secret rotation',
    authType: 'express_session',
    teaches: { express_session: 'form' },
    steps: [
      {
        id: '6.1',
        name: 'createSessionMiddleware',
        file: 'session-middleware.ts',
        task: 'express-session, with every option chosen on purpose',
        section: 'the-options-chosen-on-purpose',
        test: 'learn/steps/lesson-06.ts#createSessionMiddleware',
        hints: [
          'The notes\' code block lists every option with its reason: the cookie\'s name, the secrets, the store, the ids, and when to save and send.',
          '`session({ name, secret, store, genid, resave, saveUninitialized, rolling, cookie })`; lesson 2\'s `newSessionId` makes the ids, `sessionCookieOptions(config)` the cookie\'s attributes.',
          '`resave: false`, `saveUninitialized: false`, `rolling: false`; `cookie: { ...sessionCookieOptions(config), maxAge }` with `maxAge` only when `SESSION_DURATION` is set (in ms).',
        ],
      },
      {
        id: '6.2',
        name: 'logIn',
        file: 'session-calls.ts',
        task: 'Log a user in: a new session id, the user and the login time in it, saved before answering',
        section: 'what-the-library-still-leaves-to-you',
        test: 'learn/steps/lesson-06.ts#logIn',
        hints: [
          'Session fixation again: the id the request came with must not become a logged-in id. And the session must be stored before the 200 goes out.',
          '`await regenerateSession(req)`, then `req.session.userId` and `req.session.loginAt = now()`, then `await saveSession(req)` (both given, as promises).',
          'When any of it fails, `Reflect.deleteProperty(req, \'session\')` before rethrowing, or express-session would still send a cookie for the half-made session.',
        ],
      },
      {
        id: '6.3',
        name: 'logOut',
        file: 'session-calls.ts',
        task: 'Log out: destroy the session on the server, then clear the browser\'s cookie',
        section: 'what-the-library-still-leaves-to-you',
        test: 'learn/steps/lesson-06.ts#logOut',
        hints: [
          'express-session destroys the session but leaves the browser\'s cookie alone (its issue #241).',
          '`await destroySession(req)` (given), then `res.clearCookie(cookieName, cookieOptions)`.',
        ],
      },
      {
        id: '6.4',
        name: 'isPastAbsoluteLimit',
        file: 'session-middleware.ts',
        task: 'Is a logged-in session older than the absolute lifetime?',
        section: 'what-the-library-still-leaves-to-you',
        test: 'learn/steps/lesson-06.ts#isPastAbsoluteLimit',
        hints: [
          'Only a logged-in session (with a `userId`) and a positive duration can be past the limit.',
          'A logged-in session without a numeric `loginAt` cannot prove its age: treat it as expired. Otherwise lesson 4\'s rule, `now >= loginAt + durationMs` (`isExpired` does it).',
        ],
      },
      {
        id: '6.5',
        name: 'ExpressSessionAuth.currentUser',
        file: 'express-session-auth.ts',
        task: 'The user of `req.session.userId`; the session of a deleted user is destroyed',
        section: 'what-the-library-still-leaves-to-you',
        test: 'learn/steps/lesson-06.ts#currentUser',
        hints: [
          'express-session has already loaded the session: the user id is on `req.session`, if anywhere.',
          'Not a string: null. `User.get(userId)`; when the user is gone, `await destroySession(req)` (given) and return null.',
        ],
      },
      {
        id: '6.6',
        name: 'SqliteSessionStore.set',
        file: 'sqlite-store.ts',
        task: 'Store a session: its JSON under the hash of its id, with its expiry',
        section: 'our-own-store-and-why',
        test: 'learn/steps/lesson-06.ts#storeSet',
        hints: [
          'A store never throws at express-session: run the work inside `reply(callback, () => ...)` (given), which calls back with the error or the result.',
          '`this.statements.set.run(hashSessionId(sid), JSON.stringify(sess), expiresAt)`, with `expiresAt = sessionExpiresAt(sess, this.now(), this.limits)`.',
        ],
      },
      {
        id: '6.7',
        name: 'SqliteSessionStore.get',
        file: 'sqlite-store.ts',
        task: 'The session stored under an id, or null; an expired row is deleted on sight',
        section: 'our-own-store-and-why',
        test: 'learn/steps/lesson-06.ts#storeGet',
        hints: [
          'Look the row up by the hash of the id; no row, or one whose `expires_at` has passed, is no session.',
          'Inside `reply(callback, ...)`: `this.statements.get.get(hashSessionId(sid))`; expired (`expires_at <= this.now()`): `this.statements.destroy.run(key)` and null; else `JSON.parse(row.data)`.',
        ],
      },
      {
        id: '6.8',
        name: 'SqliteSessionStore.touch',
        file: 'sqlite-store.ts',
        task: 'Move a live session\'s expiry, with as few writes as `touchWriteFraction` allows',
        section: 'our-own-store-and-why',
        test: 'learn/steps/lesson-06.ts#storeTouch',
        hints: [
          'express-session touches after every request: with an idle timeout, this is what keeps a busy session alive. It must never revive an expired row.',
          '`this.statements.touch` updates a live row only when its expiry moves by more than a slack: `run(expiresAt, hash, now, expiresAt - slack)`, with `slack = (expiresAt - now) * touchWriteFraction`.',
        ],
      },
      {
        id: '6.9',
        name: 'readTheme',
        file: 'preferences.ts',
        task: 'The theme of the signed preference cookie: the default without one, `tampered` when the signature is wrong',
        section: 'a-signed-cookie-is-not-a-secret-cookie',
        test: 'learn/steps/lesson-06.ts#readTheme',
        hints: [
          'cookie-parser puts a correctly signed value in `req.signedCookies`, a wrongly signed one there as `false`, and a never-signed one in `req.cookies`.',
          '`false`, or a `theme` in `req.cookies`: `\'tampered\'`. A valid theme (`isTheme`, given): that theme. Anything else: `defaultTheme`.',
        ],
      },
    ],
  },
  {
    number: 7,
    folder: '07-hardening',
    title: 'Hardening',
    adds: 'authorization, CSRF, throttling, no enumeration, `__Host-` cookies, session lifecycle, security headers',
    authType: 'express_session',
    teaches: { basic_auth: 'basic', express_session: 'form' },
    adminRole: true,
    env: {
      // The name the server gives its cookie by default (`__Host-` + SESSION_NAME), said out loud
      // for the earlier lessons' checks, which build cookies by hand.
      SESSION_NAME: '__Host-_my_session_id',
      // The runner logs the same seeded users in and out hundreds of times, four checks at once,
      // all from 127.0.0.1: room for that. The throttle's and the cap's own checks set small ones.
      LOGIN_ATTEMPTS_PER_ACCOUNT: '100000',
      LOGIN_ATTEMPTS_PER_ADDRESS: '100000',
      SESSIONS_PER_USER: '100000',
    },
  },
  {
    number: 8,
    folder: '08-redis-sessions',
    title: 'Sessions in Redis',
    adds: 'sessions, the session index and the throttle in Redis, shared by several instances; outages answer 503',
    authType: 'express_session',
    teaches: { basic_auth: 'basic', express_session: 'form' },
    adminRole: true,
    redis: true,
    env: {
      SESSION_NAME: '__Host-_my_session_id',
      LOGIN_ATTEMPTS_PER_ACCOUNT: '100000',
      LOGIN_ATTEMPTS_PER_ADDRESS: '100000',
      SESSIONS_PER_USER: '100000',
      // A busy test machine can keep a Redis silent for half a second, the lesson's deadline:
      // the tools wait 5 s, and the outage checks ask for the lesson's own (REDIS_TIMEOUT='').
      REDIS_TIMEOUT: '5',
    },
  },
];

/**
 * The lesson numbered `number`; throws for a number the curriculum does not have.
 *
 * @example
 * lesson(3).title; // 'Session login and logout'
 */
export function lesson(number: number): Lesson {
  const found = lessons.find((one) => one.number === number);
  if (!found) throw new RangeError(`there is no lesson ${number}: the lessons are 0 to ${lessons.length - 1}`);
  return found;
}

/**
 * Every `AUTH_TYPE` lesson `number`'s server accepts, with how a client logs in under each:
 * what the lessons up to it teach, a later lesson's meaning winning.
 *
 * @example
 * authTypesOf(3); // { auth: 'nobody', basic_auth: 'basic', session_auth: 'form' }
 */
export function authTypesOf(number: number): Record<string, LoginKind> {
  return Object.assign({}, ...lessons.filter((one) => one.number <= number).map((one) => one.teaches));
}

/**
 * How a client logs in to lesson `number`'s server run with `authType` (its default when
 * omitted): `none` on a lesson without authentication, whatever `AUTH_TYPE` says; `nobody`
 * for a type the lesson does not accept.
 *
 * @example
 * loginKind(2); // 'printed'
 * loginKind(5, 'basic_auth'); // 'basic'
 */
export function loginKind(number: number, authType: string | null = lesson(number).authType): LoginKind {
  if (lesson(number).authType === null) return 'none';
  if (authType === null) return 'nobody';
  return authTypesOf(number)[authType] ?? 'nobody';
}

/**
 * The paths of a lesson's files, from the project root: in `lessons/`, or in the learner's
 * copy of it (`workspace`, see `npm run learn`). The notes are always the lesson's own.
 *
 * @example
 * lessonPaths(lesson(1)).server; // 'lessons/01-basic-auth/server.ts'
 * lessonPaths(lesson(1), 'workspace').server; // 'workspace/01-basic-auth/server.ts'
 */
export function lessonPaths(entry: Lesson, root = 'lessons'): { folder: string; server: string; app: string; notes: string } {
  const folder = `${root}/${entry.folder}`;
  return { folder, server: `${folder}/server.ts`, app: `${folder}/app.ts`, notes: `lessons/${entry.folder}/README.md` };
}

/**
 * Every exercise step, in order, with its lesson.
 *
 * @example
 * allSteps()[0].step.name; // 'listUsers'
 */
export function allSteps(): { lesson: Lesson; step: Step }[] {
  return lessons.flatMap((entry) => (entry.steps ?? []).map((step) => ({ lesson: entry, step })));
}

/**
 * The step `id` (`2.3`) and its lesson; throws for an id the curriculum does not have.
 *
 * @example
 * findStep('2.3').step.name; // 'SessionAuth.userIdForSessionId'
 */
export function findStep(id: string): { lesson: Lesson; step: Step } {
  const found = allSteps().find((one) => one.step.id === id);
  if (!found) throw new RangeError(`there is no step ${id}: steps look like 2.3 (npm run learn -- list)`);
  return found;
}

/**
 * Where a step's notes section is: `lessons/02-session-auth/README.md#what-this-lesson-adds`.
 *
 * @example
 * stepNotes(findStep('1.1').lesson, findStep('1.1').step); // 'lessons/01-basic-auth/README.md#the-guard'
 */
export function stepNotes(entry: Lesson, step: Step): string {
  return `${lessonPaths(entry).notes}#${step.section}`;
}
