import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig, parseSeconds } from './config.ts';

test('an empty environment gives the defaults', () => {
  assert.deepEqual(loadConfig({}), {
    apiHost: '127.0.0.1',
    apiPort: 5000,
    dbPath: 'data/sandbox.db',
    authType: undefined,
    sessionName: '_my_session_id',
    sessionDurationSeconds: 0,
    sessionIdleTimeoutSeconds: 0,
    cookieSecure: false,
  });
});

test('every variable is read from the environment given', () => {
  const config = loadConfig({
    API_HOST: '0.0.0.0',
    API_PORT: '5001',
    DB_PATH: '/tmp/x.db',
    AUTH_TYPE: 'basic_auth',
    SESSION_NAME: 'sid',
    SESSION_DURATION: '60',
    SESSION_IDLE_TIMEOUT: '1.5',
    COOKIE_SECURE: 'true',
  });
  assert.deepEqual(config, {
    apiHost: '0.0.0.0',
    apiPort: 5001,
    dbPath: '/tmp/x.db',
    authType: 'basic_auth',
    sessionName: 'sid',
    sessionDurationSeconds: 60,
    sessionIdleTimeoutSeconds: 1.5,
    cookieSecure: true,
  });
});

test('API_PORT 0 is accepted: the system picks a free port', () => {
  assert.equal(loadConfig({ API_PORT: '0' }).apiPort, 0);
});

test('an API_PORT that is not a port number is a ConfigError naming the variable', () => {
  for (const value of ['abc', '-1', '65536', '50.5', '5000x']) {
    assert.throws(() => loadConfig({ API_PORT: value }), (error: Error) => {
      assert.ok(error instanceof ConfigError, `API_PORT=${value}`);
      assert.match(error.message, /^API_PORT .*"/);
      assert.ok(error.message.includes(`"${value}"`), error.message);
      return true;
    });
  }
});

test('parseSeconds accepts decimals, so checks can use lifetimes under a second', () => {
  assert.equal(parseSeconds('0.5'), 0.5);
  assert.equal(parseSeconds('60'), 60);
});

test('parseSeconds reads a missing, non-numeric or non-positive value as 0 (no limit)', () => {
  for (const value of ['abc', '', '-1', '0', 'Infinity', undefined]) {
    assert.equal(parseSeconds(value), 0, `parseSeconds(${JSON.stringify(value)})`);
  }
});

test('a SESSION_NAME that is not a cookie name is a ConfigError', () => {
  for (const value of ['my session', 'a;b', 'a=b', 'sid,x', 'é']) {
    assert.throws(() => loadConfig({ SESSION_NAME: value }), ConfigError, `SESSION_NAME=${value}`);
  }
  assert.equal(loadConfig({ SESSION_NAME: '__Host-sid.v2' }).sessionName, '__Host-sid.v2');
});

test('COOKIE_SECURE reads true/1 as true and false/0/empty as false', () => {
  assert.equal(loadConfig({ COOKIE_SECURE: 'true' }).cookieSecure, true);
  assert.equal(loadConfig({ COOKIE_SECURE: '1' }).cookieSecure, true);
  assert.equal(loadConfig({ COOKIE_SECURE: 'false' }).cookieSecure, false);
  assert.equal(loadConfig({ COOKIE_SECURE: '0' }).cookieSecure, false);
  assert.equal(loadConfig({ COOKIE_SECURE: '' }).cookieSecure, false);
});

test('any other COOKIE_SECURE value is a ConfigError, not a silent false', () => {
  for (const value of ['yes', 'TRUE', 'on']) {
    assert.throws(() => loadConfig({ COOKIE_SECURE: value }), ConfigError, `COOKIE_SECURE=${value}`);
  }
});
