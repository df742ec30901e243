/**
 * Lesson 2's steps: session ids, the in-memory table of sessions, the session cookie, the
 * guard's new rule and the current user, with the examples of the course's `main_N.py`.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { User } from '../../shared/models/user.ts';
import { config, fakeRequest, type StepContext, type StepTest } from './helpers.ts';

type SessionAuthModule = typeof import('../../lessons/02-session-auth/session-auth.ts');

/** A `SessionAuth`, and its table of sessions (protected: the course's tests print it too). */
async function sessionAuth(ctx: StepContext) {
  const { SessionAuth } = await ctx.load<SessionAuthModule>('02-session-auth/session-auth.ts');
  const auth = new SessionAuth(config());
  return { auth, sessions: (auth as unknown as { sessions: Map<string, { userId: string }> }).sessions };
}

const ID = /^[A-Za-z0-9_-]{43}$/;

export const newSessionId: StepTest = async (ctx) => {
  const module = await ctx.load<SessionAuthModule>('02-session-auth/session-auth.ts');
  const id = module.newSessionId();
  assert.equal(typeof id, 'string', 'newSessionId() returns a string');
  assert.match(id, ID, 'a session id is 32 random bytes in base64url: 43 characters of A-Z a-z 0-9 - _');
  const ids = new Set(Array.from({ length: 1000 }, () => module.newSessionId()));
  assert.equal(ids.size, 1000, '1,000 calls of newSessionId() give 1,000 different ids');
  // 1,000 ids of 256 random bits use every base64url character; a narrower source would not.
  const characters = new Set([...ids].join(''));
  assert.equal(characters.size, 64, 'the ids use all 64 base64url characters, as random bytes do');
};

export const createSession: StepTest = async (ctx) => {
  const { auth, sessions } = await sessionAuth(ctx);
  assert.equal(auth.createSession(null), null, 'createSession(null)');
  assert.equal(auth.createSession(89), null, 'createSession(89): a user id is a string');
  assert.equal(sessions.size, 0, 'a refused user id starts no session');
  const first = auth.createSession('abcde');
  assert.match(String(first), ID, 'createSession("abcde") returns a new session id (newSessionId())');
  assert.equal(sessions.get(first!)?.userId, 'abcde', 'the new id is remembered in this.sessions as { userId: "abcde" }');
  const second = auth.createSession('abcde');
  assert.notEqual(second, first, 'a second session of the same user has another id');
  assert.equal(sessions.get(second!)?.userId, 'abcde', 'one user may hold several sessions');
  assert.equal(sessions.get(first!)?.userId, 'abcde', 'a new session leaves the others alone');
};

export const userIdForSessionId: StepTest = async (ctx) => {
  const { auth, sessions } = await sessionAuth(ctx);
  sessions.set('fe5b2c3a-session', { userId: 'abcde' });
  assert.equal(auth.userIdForSessionId(null), null, 'userIdForSessionId(null)');
  assert.equal(auth.userIdForSessionId(89), null, 'userIdForSessionId(89)');
  assert.equal(auth.userIdForSessionId('doesntexist'), null, 'userIdForSessionId of an unknown id');
  assert.equal(auth.userIdForSessionId('fe5b2c3a-session'), 'abcde', 'userIdForSessionId of a session in this.sessions is its userId');
  assert.equal(auth.userIdForSessionId('constructor'), null, 'userIdForSessionId("constructor"): only the ids in the table count');
};

export const sessionCookie: StepTest = async (ctx) => {
  const { sessionCookie } = await ctx.load<SessionAuthModule>('02-session-auth/session-auth.ts');
  const name = '_my_session_id';
  assert.equal(sessionCookie(fakeRequest(), name), null, 'a request without req.cookies has no session cookie');
  assert.equal(sessionCookie(fakeRequest({ cookies: {} }), name), null, 'a request without cookies has no session cookie');
  assert.equal(sessionCookie(fakeRequest({ cookies: { [name]: 'Holberton' } }), name), 'Holberton', 'the value of the cookie named _my_session_id');
  assert.equal(sessionCookie(fakeRequest({ cookies: { other: 'Holberton' } }), name), null, 'a cookie under another name is not the session cookie');
  assert.equal(sessionCookie(fakeRequest({ cookies: { [name]: 'C is fun' } }), name), 'C is fun', 'a value with spaces is read whole');
  assert.equal(sessionCookie(fakeRequest({ cookies: { [name]: { a: 1 } } }), name), null, 'a "j:{...}" value, which cookie-parser turns into an object, is not a session id');
};

export const hasCredentials: StepTest = async (ctx) => {
  const { auth } = await sessionAuth(ctx);
  const request = (headers: Record<string, string>, cookies: Record<string, string>) => fakeRequest({ headers, cookies });
  assert.equal(auth.hasCredentials(request({}, {})), false, 'no Authorization header and no session cookie: no credentials (401)');
  assert.equal(auth.hasCredentials(request({}, { _my_session_id: 'made-up' })), true, 'a session cookie, even a made-up one, is a credential (403, not 401)');
  assert.equal(auth.hasCredentials(request({ authorization: 'Basic test' }, {})), true, 'an Authorization header is still a credential');
  assert.equal(auth.hasCredentials(request({}, { other_name: 'x' })), false, 'a cookie under another name is no credential');
};

export const currentUser: StepTest = async (ctx) => {
  const { auth, sessions } = await sessionAuth(ctx);
  const bob = Object.assign(new User(), { email: 'bob@hbtn.io' });
  bob.save();
  sessions.set('bob-session', { userId: bob.id });
  sessions.set('ghost-session', { userId: 'no-such-user' });
  const withCookie = (value?: string) => fakeRequest({ cookies: value === undefined ? {} : { _my_session_id: value } });
  assert.equal((await auth.currentUser(withCookie('bob-session')))?.id, bob.id, 'the cookie of Bob\'s session: currentUser is Bob (a User)');
  assert.equal(await auth.currentUser(withCookie()), null, 'no cookie: no current user');
  assert.equal(await auth.currentUser(withCookie('made-up')), null, 'a cookie that names no session: no current user');
  assert.equal(await auth.currentUser(withCookie('ghost-session')), null, 'a session of a user who no longer exists: no current user');
};
