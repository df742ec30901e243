import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateProbe } from './campaign.ts';
import { families, sweep, type LiveState } from './families.ts';
import { leakIn } from './oracle.ts';
import { targets } from './targets.ts';

const kept = 'KEPTkeptKEPTkeptKEPTkeptKEPTkeptKEPTkeptKEP';
const retiring = 'RETIRINGretiringRETIRINGretiringRETIRINGret';

/** What a run knows after its setup, with recognisable session ids. */
function liveState(lesson: number): LiveState {
  const target = targets.find((t) => t.lesson === lesson)!;
  const users = [
    { id: 'aaaaaaaa-0000-4000-8000-000000000001', email: 'ada@example.com', password: 'pw1', seeded: true },
    { id: 'aaaaaaaa-0000-4000-8000-000000000002', email: 'grace@example.com', password: 'a:b:9', seeded: true },
  ];
  return {
    target,
    users,
    keptSessions: target.auth === 'login' || target.auth === 'printed' ? [{ cookie: kept, userId: users[0]!.id }] : [],
    spareSessions: target.auth === 'login' ? [{ cookie: 'SPAREspareSPAREspareSPAREspareSPAREspareSPA', userId: users[1]!.id }] : [],
    retiringSessions: target.auth === 'login' ? [{ cookie: retiring, userId: users[1]!.id }] : [],
    loggedOutSessions: [],
    disposableUserIds: ['dddddddd-0000-4000-8000-00000000000d'],
    created: 0,
  };
}

test('every run begins with HEAD and OPTIONS on every route and every field of a wrong type', () => {
  const live = liveState(6);
  const first = Array.from({ length: sweep(live.target).length }, (_, index) => generateProbe(1, live, index, 'h:1').bytes.toString('latin1'));
  for (const route of live.target.routes) {
    const path = route.path.replace(':id', '');
    for (const method of ['HEAD', 'OPTIONS']) {
      assert.equal(first.filter((text) => text.startsWith(`${method} ${path}`)).length >= 2, true, `${method} ${route.path}`);
    }
    for (const field of Object.keys(route.body?.fields ?? {})) {
      for (const value of ['42', '["x@example.com"]', '{"$gt":""}', 'null']) {
        assert.ok(first.some((text) => text.includes(`"${field}":${value}`)), `${route.path} ${field} ${value}`);
      }
    }
  }
});

test('the same seed and index give the same request; another seed another', () => {
  const first = generateProbe(7, liveState(3), 5000, 'h:1').bytes;
  assert.deepEqual(generateProbe(7, liveState(3), 5000, 'h:1').bytes, first);
  const others = [1, 2, 3].map((seed) => generateProbe(seed, liveState(3), 5000, 'h:1').bytes);
  assert.ok(others.some((bytes) => !bytes.equals(first)));
});

test('2,000 requests per lesson: every family drawn, no leak pattern sent, kept sessions never sent where they could end', () => {
  for (const { lesson } of targets) {
    const seen = new Set<string>();
    for (let index = 0; index < 2000; index++) {
      const live = liveState(lesson);
      const { probe, bytes } = generateProbe(1, live, index, '127.0.0.1:1');
      seen.add(probe.family);
      const text = bytes.toString('latin1');
      assert.equal(leakIn(text), null, text.slice(0, 200));
      // A kept session must still authenticate at the end: never with a login, a logout or a DELETE.
      // (The exact value: mutations of it, such as a character more, are hostile values like any other.)
      if (new RegExp(`=${kept}(;|\r\n)`).test(text)) {
        const [method = '', path = ''] = text.split(' ');
        const harmless = ['GET', 'HEAD', 'OPTIONS'].includes(method) || (method !== 'DELETE' && !/login|logout/i.test(path));
        assert.ok(harmless, text.slice(0, 200));
      }
      // A retiring session is for a valid logout only.
      if (new RegExp(`=${retiring}(;|\r\n)`).test(text)) assert.equal(probe.family, 'valid', text.slice(0, 200));
      // Only a disposable user (or none) is ever deleted.
      if (/^DELETE \/api\/v1\/users\/aaaaaaaa-0000-4000-8000-00000000000[12]/.test(text)) assert.fail(text.slice(0, 200));
    }
    assert.deepEqual([...seen].sort(), [...families.map((f) => f.name), 'sweep'].sort(), `lesson ${lesson}`);
  }
});
