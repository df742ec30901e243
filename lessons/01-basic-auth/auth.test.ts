import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Auth } from './auth.ts';

// The examples are the course's own (None is null here).
const auth = new Auth();

test('requireAuth is true when the path or the excluded list is missing or empty', () => {
  assert.equal(auth.requireAuth(null, null), true);
  assert.equal(auth.requireAuth('/api/v1/status/', null), true);
  assert.equal(auth.requireAuth('/api/v1/status/', []), true);
});

test('requireAuth is false for an excluded path, with or without a trailing slash', () => {
  assert.equal(auth.requireAuth('/api/v1/status', ['/api/v1/status/']), false);
  assert.equal(auth.requireAuth('/api/v1/status/', ['/api/v1/status/']), false);
  assert.equal(auth.requireAuth('/api/v1/status/', ['/api/v1/status']), false);
});

test('requireAuth is true for a path that is not excluded', () => {
  assert.equal(auth.requireAuth('/api/v1/users', ['/api/v1/status/']), true);
  // An excluded path excludes itself, not what is below it or what merely starts like it.
  assert.equal(auth.requireAuth('/api/v1/status/users', ['/api/v1/status/']), true);
  assert.equal(auth.requireAuth('/api/v1/statusx', ['/api/v1/status/']), true);
});

test('an excluded path ending in * excludes every path that starts with it', () => {
  const excluded = ['/api/v1/stat*'];
  assert.equal(auth.requireAuth('/api/v1/status', excluded), false);
  assert.equal(auth.requireAuth('/api/v1/stats', excluded), false);
  assert.equal(auth.requireAuth('/api/v1/users', excluded), true);
});

test('authorizationHeader is null without a request', () => {
  assert.equal(auth.authorizationHeader(null), null);
  assert.equal(auth.authorizationHeader(undefined), null);
});

test('the base Auth knows nobody and sends no challenge', async () => {
  assert.equal(await auth.currentUser(null as never), null);
  assert.equal(auth.challenge(), null);
});
