import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countCookies, hostCookieName } from './cookie.ts';
import { isLoopbackAddress, listeningHosts } from './hosts.ts';
import { parseTrustProxy } from './config.ts';

test('the cookie gets the __Host- prefix once', () => {
  assert.equal(hostCookieName('_my_session_id'), '__Host-_my_session_id');
  assert.equal(hostCookieName('__Host-sid'), '__Host-sid');
});

test('countCookies counts exact names only', () => {
  assert.equal(countCookies('__Host-sid=a; theme=dark; __Host-sid=b', '__Host-sid'), 2);
  assert.equal(countCookies('x__Host-sid=a; __Host-sid=b; novalue; __Host-sid', '__Host-sid'), 1);
  assert.equal(countCookies('', '__Host-sid'), 0);
});

test('the hosts of a listening address', () => {
  assert.deepEqual(listeningHosts('127.0.0.1'), ['localhost', '127.0.0.1', '[::1]']);
  assert.deepEqual(listeningHosts('::1'), ['localhost', '127.0.0.1', '[::1]']);
  assert.deepEqual(listeningHosts('192.168.1.20'), ['192.168.1.20']);
  assert.ok(listeningHosts('0.0.0.0').includes('127.0.0.1'));
  assert.equal(isLoopbackAddress('::ffff:127.0.0.1'), true);
  assert.equal(isLoopbackAddress('10.0.0.1'), false);
});

test('TRUST_PROXY: hops, names and addresses, never true', () => {
  assert.equal(parseTrustProxy(undefined), false);
  assert.equal(parseTrustProxy('2'), 2);
  assert.equal(parseTrustProxy('loopback, 10.0.0.0/8'), 'loopback, 10.0.0.0/8');
  assert.throws(() => parseTrustProxy('true'), /X-Forwarded-For/);
  assert.throws(() => parseTrustProxy('not-an-address'), /TRUST_PROXY must be/);
});
