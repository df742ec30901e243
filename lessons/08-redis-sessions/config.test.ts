import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../shared/config.ts';
import { loadRedisConfig } from './app.ts';
import { instanceCount } from './instances.ts';

test('REDIS_URL must be a redis:// or rediss:// URL; unset, the lesson runs a Redis of its own', () => {
  assert.equal(loadRedisConfig({}).redisUrl, null);
  assert.equal(loadRedisConfig({ REDIS_URL: 'rediss://cache.internal:6380' }).redisUrl, 'rediss://cache.internal:6380');
  assert.throws(() => loadRedisConfig({ REDIS_URL: '127.0.0.1:6379' }), ConfigError);
});

test('REDIS_TIMEOUT is seconds, 0.5 by default; anything but a number from above 0 to 60 is refused', () => {
  assert.equal(loadRedisConfig({}).timeoutMs, 500);
  assert.equal(loadRedisConfig({ REDIS_TIMEOUT: '' }).timeoutMs, 500);
  assert.equal(loadRedisConfig({ REDIS_TIMEOUT: '5' }).timeoutMs, 5000);
  for (const bad of ['0', '-1', 'soon', '61']) assert.throws(() => loadRedisConfig({ REDIS_TIMEOUT: bad }), ConfigError, bad);
});

test('INSTANCE_NAME names the instance, by default after its host and process', () => {
  assert.equal(loadRedisConfig({ INSTANCE_NAME: 'instance-2' }).instanceName, 'instance-2');
  assert.match(loadRedisConfig({}).instanceName, new RegExp(`-${process.pid}$`));
});

test('--instances takes a whole number from 1 to 16', () => {
  assert.equal(instanceCount([]), null);
  assert.equal(instanceCount(['--instances', '3']), 3);
  for (const bad of [['--instances'], ['--instances', '0'], ['--instances', '17'], ['--instances', 'three']]) assert.throws(() => instanceCount(bad), ConfigError);
});
