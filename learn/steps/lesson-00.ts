/**
 * Lesson 0's steps: the users routes' handlers, tested through lesson 0's app (given code)
 * on a real port, one route at a time.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { User } from '../../shared/models/user.ts';
import { json, withServer, type StepContext, type StepTest, type TestServer } from './helpers.ts';

type AppModule = typeof import('../../lessons/00-users-api/app.ts');

/** Lesson 0's app from the lessons under test, on a free port. */
async function withUsersApp(ctx: StepContext, work: (server: TestServer) => Promise<void>): Promise<void> {
  const { createUsersApp } = await ctx.load<AppModule>('00-users-api/app.ts');
  await withServer(createUsersApp(), work);
}

/** A user saved through the model, without a password (no slow hashing). */
function saveUser(email: string, firstName: string | null = 'Ann'): User {
  const user = Object.assign(new User(), { email, firstName, lastName: 'Lee' });
  user.save();
  return user;
}

export const listUsers: StepTest = (ctx) =>
  withUsersApp(ctx, async ({ call }) => {
    const empty = await call('/api/v1/users');
    assert.equal(empty.status, 200, 'GET /api/v1/users answers 200');
    assert.deepEqual(empty.json, [], 'GET /api/v1/users with no user answers []');
    const ann = saveUser('ann@hbtn.io');
    const bob = saveUser('bob@hbtn.io', null);
    const { json: list } = await call('/api/v1/users');
    assert.ok(Array.isArray(list), 'GET /api/v1/users answers a JSON array');
    const byId = (id: string) => list.find((user: { id?: string }) => user.id === id);
    assert.deepEqual(byId(ann.id), ann.toJSON(), 'each user in the list is its course JSON (User.toJSON)');
    assert.deepEqual(byId(bob.id), bob.toJSON(), 'every user is in the list');
    assert.equal(list.length, 2, 'the list has one entry per user');
  });

export const showUser: StepTest = (ctx) =>
  withUsersApp(ctx, async ({ call }) => {
    const ann = saveUser('ann@hbtn.io');
    const found = await call(`/api/v1/users/${ann.id}`);
    assert.equal(found.status, 200, 'GET /api/v1/users/<id of a user> answers 200');
    assert.deepEqual(found.json, ann.toJSON(), 'GET /api/v1/users/<id> answers that user\'s JSON');
    const missing = await call('/api/v1/users/no-such-id');
    assert.equal(missing.status, 404, 'GET /api/v1/users/no-such-id answers 404');
    assert.deepEqual(missing.json, { error: 'Not found' }, 'GET /api/v1/users/no-such-id answers {"error": "Not found"}');
  });

export const createUser: StepTest = (ctx) =>
  withUsersApp(ctx, async ({ call }) => {
    const cases: [RequestInit, number, unknown, string][] = [
      [{ method: 'POST' }, 400, { error: 'Wrong format' }, 'POST /users without a body'],
      [{ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '["a@hbtn.io"]' }, 400, { error: 'Wrong format' }, 'POST /users with a JSON array'],
      [json('POST', {}), 400, { error: 'email missing' }, 'POST /users {}'],
      [json('POST', { email: '', password: 'pwd' }), 400, { error: 'email missing' }, 'POST /users with an empty email'],
      [json('POST', { password: 'pwd' }), 400, { error: 'email missing' }, 'POST /users without an email (checked before the password)'],
      [json('POST', { email: 'new@hbtn.io' }), 400, { error: 'password missing' }, 'POST /users without a password'],
    ];
    for (const [init, status, body, what] of cases) {
      const answer = await call('/api/v1/users', init);
      assert.deepEqual({ status: answer.status, body: answer.json }, { status, body }, `${what} answers ${status} ${JSON.stringify(body)}`);
    }
    const created = await call('/api/v1/users', json('POST', { email: 'new@hbtn.io', password: 'H0lberton!', first_name: 'New', last_name: 'User' }));
    assert.equal(created.status, 201, 'POST /users with an email and a password answers 201');
    assert.ok(!created.text.includes('H0lberton!') && created.json?.password === undefined, 'the answer never holds the password');
    const stored = User.get(created.json?.id);
    assert.ok(stored, 'the answer is the new user\'s JSON, with its id, and the user is saved');
    assert.deepEqual(created.json, stored.toJSON(), 'the answer is the saved user\'s JSON');
    assert.deepEqual([stored.email, stored.firstName, stored.lastName], ['new@hbtn.io', 'New', 'User'], 'the user has the email, first_name and last_name of the body');
    assert.match(String(stored.passwordHash), /^scrypt\$/, 'the password is set with user.setPassword(): stored as a scrypt hash');
    const taken = await call('/api/v1/users', json('POST', { email: 'NEW@hbtn.io', password: 'other' }));
    assert.equal(taken.status, 400, 'POST /users with an email that is taken answers 400');
    assert.match(String(taken.json?.error), /^Can't create User: /, 'an email that is taken answers {"error": "Can\'t create User: <why>"}');
  });

export const updateUser: StepTest = (ctx) =>
  withUsersApp(ctx, async ({ call }) => {
    const ann = saveUser('ann@hbtn.io');
    const missing = await call('/api/v1/users/no-such-id', json('PUT', { first_name: 'Bob' }));
    assert.deepEqual({ status: missing.status, body: missing.json }, { status: 404, body: { error: 'Not found' } }, 'PUT on an unknown id answers 404 {"error": "Not found"}');
    const wrong = await call(`/api/v1/users/${ann.id}`, { method: 'PUT', body: 'first_name=Bob' });
    assert.deepEqual({ status: wrong.status, body: wrong.json }, { status: 400, body: { error: 'Wrong format' } }, 'PUT without a JSON body answers 400 {"error": "Wrong format"}');
    const updated = await call(`/api/v1/users/${ann.id}`, json('PUT', { first_name: 'Bob', last_name: 'Dylan', email: 'changed@hbtn.io', id: 'other' }));
    assert.equal(updated.status, 200, 'PUT /users/<id> answers 200');
    const stored = User.get(ann.id)!;
    assert.deepEqual([stored.email, stored.firstName, stored.lastName], ['ann@hbtn.io', 'Bob', 'Dylan'], 'PUT changes first_name and last_name, and never the email');
    assert.deepEqual(updated.json, stored.toJSON(), 'PUT answers the updated user\'s JSON');
    await call(`/api/v1/users/${ann.id}`, json('PUT', { last_name: 'Smith' }));
    assert.equal(User.get(ann.id)!.firstName, 'Bob', 'a name absent from the body is left alone');
  });

export const deleteUser: StepTest = (ctx) =>
  withUsersApp(ctx, async ({ call }) => {
    const ann = saveUser('ann@hbtn.io');
    const deleted = await call(`/api/v1/users/${ann.id}`, { method: 'DELETE' });
    assert.deepEqual({ status: deleted.status, body: deleted.json }, { status: 200, body: {} }, 'DELETE /users/<id> answers 200 {}');
    assert.equal(User.get(ann.id), null, 'the user is gone from the database');
    const again = await call(`/api/v1/users/${ann.id}`, { method: 'DELETE' });
    assert.deepEqual({ status: again.status, body: again.json }, { status: 404, body: { error: 'Not found' } }, 'DELETE on an unknown id answers 404 {"error": "Not found"}');
  });
