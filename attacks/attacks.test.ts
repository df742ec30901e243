/**
 * The attack lab against real servers: an attack that gets through on lesson 6 is refused on
 * lesson 7 (the cheap ones; every attack's claim is checked by lesson 7's checks anyway).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { attacks, runAttack } from './catalogue.ts';
import { lessons } from '../lessons/curriculum.ts';

const attack = (name: string) => attacks.find((one) => one.name === name)!;

test('every attack names a claim of lesson 7, and the names are unique', async () => {
  const { checks } = await import('../checks/lesson-07.ts');
  const { browserChecksOf } = await import('../checks/browser-checks.ts');
  const claims = new Set([...checks, ...browserChecksOf(7)].map((check) => check.id));
  for (const one of attacks) assert.ok(claims.has(one.claim), `${one.name}: ${one.claim}`);
  assert.equal(new Set(attacks.map((one) => one.name)).size, attacks.length);
  assert.ok(lessons.some((lesson) => lesson.number === 7));
});

describe('on lessons 6 and 7', { concurrency: true }, () => {
  for (const name of ['idor', 'dns-rebinding', 'missing-headers']) {
    test(`${name}: gets through on lesson 6, refused on lesson 7`, async () => {
      const [six, seven] = await Promise.all([runAttack(attack(name), 6), runAttack(attack(name), 7)]);
      assert.equal(six.succeeded, true, six.steps.join('\n'));
      assert.equal(seven.succeeded, false, seven.steps.join('\n'));
    });
  }
});
