import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../shared/config.ts';
import { loadSessionConfig } from '../06-express-session/config.ts';
import { weakProductionSettings } from './production.ts';

const long = 'x'.repeat(32);

test('each weak production setting is one sentence naming it; strong settings have none', () => {
  const weak = { NODE_ENV: 'production', SESSION_SECRET: `${long},short` };
  assert.deepEqual(
    weakProductionSettings(loadConfig(weak), loadSessionConfig(weak)).map((line) => line.split(/[ :]/)[0]),
    ['SESSION_SECRET', 'COOKIE_SECURE', 'SESSION_DURATION'],
  );
  assert.match(weakProductionSettings(loadConfig({}), loadSessionConfig({}))[0]!, /SESSION_SECRET must be set/);
  const strong = { NODE_ENV: 'production', SESSION_SECRET: long, COOKIE_SECURE: 'true', SESSION_DURATION: '3600' };
  assert.deepEqual(weakProductionSettings(loadConfig(strong), loadSessionConfig(strong)), []);
});
