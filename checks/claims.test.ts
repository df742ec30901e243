/**
 * The claims of the notes and the checks agree: every claim has exactly one check, every
 * check cites a claim of its lesson's notes, ids are unique and sentences identical.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { claimLine, headingSlugs, listClaims, parseClaims, slug } from './claims.ts';
import { lessons, presentLessons } from './lessons.ts';
import { projectRoot } from './server.ts';

const ID = /^L(\d+)-[a-z0-9]+(?:-[a-z0-9]+)*$/;

test('claim ids are unique, well formed, and carry their lesson number', () => {
  const seen = new Map<string, number>();
  for (const entry of lessons) {
    for (const check of entry.checks) {
      const match = ID.exec(check.id);
      assert.ok(match, `${check.id}: ids look like L<lesson>-words-with-dashes`);
      assert.equal(Number(match[1]), check.lesson, `${check.id}: its number is not its lesson (${check.lesson})`);
      assert.equal(check.lesson, entry.number, `${check.id} is listed under lesson ${entry.number}`);
      assert.ok(!seen.has(check.id), `${check.id} is used twice`);
      seen.set(check.id, entry.number);
    }
  }
});

test('every check has a profile, a reference that matches it, a section, and a sane until', () => {
  for (const check of lessons.flatMap((entry) => entry.checks)) {
    const profiles = Object.keys(check.profiles);
    assert.ok(profiles.length > 0, `${check.id}: in no profile`);
    assert.ok(check.profiles.secure, `${check.id}: every claim belongs to secure (course + standards)`);
    // The docs derive the profile from the reference: `course` claims are the course's contract.
    assert.equal(check.reference === 'course', check.profiles.course !== undefined, `${check.id}: reference "course" if and only if in the course profile`);
    assert.ok(check.section && check.claim.trim() === check.claim, `${check.id}: a section and a trimmed sentence`);
    if (check.until) assert.ok(check.until.lesson > check.lesson && check.until.reason, `${check.id}: until must be a later lesson, with a reason`);
    if (check.since) assert.ok(check.since.lesson < check.lesson && check.since.reason, `${check.id}: since must be an earlier lesson, with a reason`);
  }
});

test('a claim rests only on a claim of its own lesson that runs in every profile it runs in', () => {
  for (const entry of lessons) {
    for (const check of entry.checks.filter((one) => one.restsOn)) {
      const base = entry.checks.find((one) => one.id === check.restsOn);
      assert.ok(base, `${check.id} rests on ${check.restsOn}, which is not a claim of lesson ${entry.number}`);
      assert.ok(!base.restsOn, `${check.id} rests on ${base.id}, which rests on another: one level only`);
      for (const profile of Object.keys(check.profiles)) assert.ok(profile in base.profiles, `${check.id} runs in ${profile}, ${base.id} does not`);
    }
  }
});

for (const entry of presentLessons()) {
  test(`lesson ${entry.number}: the notes' claims and the checks are the same`, () => {
    const notesPath = join(projectRoot, entry.notes);
    assert.ok(existsSync(notesPath), `${entry.notes} is missing`);
    const markdown = readFileSync(notesPath, 'utf8');
    const { claims, malformed, found } = parseClaims(markdown);
    assert.ok(found, `${entry.notes} has no "## Claims" section`);
    assert.deepEqual(malformed, [], `${entry.notes}: list items in ## Claims that are not "- **ID** — sentence *(reference)*"`);

    const notesIds = claims.map((claim) => claim.id);
    assert.equal(new Set(notesIds).size, notesIds.length, `${entry.notes}: a claim id appears twice`);
    const checkIds = entry.checks.map((check) => check.id);
    const withoutCheck = notesIds.filter((id) => !checkIds.includes(id));
    const withoutClaim = checkIds.filter((id) => !notesIds.includes(id));
    assert.deepEqual(withoutCheck, [], `claims in ${entry.notes} with no check in checks/lesson-${String(entry.number).padStart(2, '0')}.ts`);
    assert.deepEqual(withoutClaim, [], `checks with no claim in ${entry.notes} (add: ${withoutClaim.map((id) => claimLine(entry.checks.find((c) => c.id === id)!)).join('\n')})`);

    const slugs = headingSlugs(markdown);
    for (const check of entry.checks) {
      const claim = claims.find((one) => one.id === check.id)!;
      assert.equal(claim.sentence, check.claim, `${check.id}: the sentence differs between ${entry.notes}:${claim.line} and the check`);
      assert.equal(claim.reference, check.reference, `${check.id}: the reference differs between ${entry.notes}:${claim.line} and the check`);
      assert.ok(slugs.has(check.section), `${check.id}: ${entry.notes} has no heading #${check.section}`);
    }
  });
}

test('every lesson folder whose notes make claims is in the registry', (t) => {
  const registered = new Set(lessons.map((entry) => entry.folder));
  const folders = readdirSync(join(projectRoot, 'lessons'), { withFileTypes: true })
    .filter((dirent) => dirent.isDirectory() && /^\d\d-/.test(dirent.name))
    .map((dirent) => `lessons/${dirent.name}`);
  const missing = folders.filter((folder) => {
    const notes = join(projectRoot, folder, 'README.md');
    return !registered.has(folder) && existsSync(notes) && parseClaims(readFileSync(notes, 'utf8')).claims.length > 0;
  });
  // A lesson's checks arrive with the lesson (checks/README.md); until then this is a to-do,
  // reported on every run, not a silent gap.
  if (missing.length) t.todo(`claims without checks yet (no line in checks/lessons.ts): ${missing.join(', ')}`);
});

test('listClaims gives every check once, with its notes link and profile', () => {
  const claims = listClaims();
  assert.equal(claims.length, lessons.reduce((sum, entry) => sum + entry.checks.length, 0));
  const challenge = claims.find((claim) => claim.id === 'L1-basic-challenge');
  assert.deepEqual(challenge && { ...challenge, sentence: undefined }, {
    id: 'L1-basic-challenge',
    lesson: 1,
    sentence: undefined,
    reference: 'RFC 9110 §11.6.1',
    profile: 'secure',
    profiles: { secure: 'fail' },
    notes: 'lessons/01-basic-auth/README.md#what-the-course-got-wrong',
  });
  assert.equal(claims.find((claim) => claim.id === 'L0-status')?.profile, 'course');
});

test('parseClaims reads claim lines, reports malformed items, ignores code blocks and other sections', () => {
  const markdown = [
    '# Lesson 9 — Test',
    '- **L9-not-here** — Outside the section. *(course)*',
    '## Claims',
    '',
    'Some prose.',
    '- **L9-one** — It answers `{"a": 1}` (really). *(RFC 9110 §11.6.1)*',
    '- **L9-two** — No reference.',
    '```',
    '- **L9-code** — In a code block. *(course)*',
    '```',
    '## Further reading',
    '- **L9-after** — After the section. *(course)*',
  ].join('\n');
  const { claims, malformed, found } = parseClaims(markdown);
  assert.ok(found);
  assert.deepEqual(claims, [{ id: 'L9-one', sentence: 'It answers `{"a": 1}` (really).', reference: 'RFC 9110 §11.6.1', line: 6 }]);
  assert.deepEqual(malformed, [{ line: 7, text: '- **L9-two** — No reference.' }]);
});

test('slug makes the anchors GitHub and typedoc make for simple headings', () => {
  assert.equal(slug('What the course got wrong'), 'what-the-course-got-wrong');
  assert.equal(slug('The user JSON'), 'the-user-json');
  assert.equal(slug('Run it and try it'), 'run-it-and-try-it');
  assert.ok(headingSlugs('# A\n\n## Errors are JSON\n```\n## not a heading\n```\n').has('errors-are-json'));
  assert.ok(!headingSlugs('```\n## not a heading\n```\n').has('not-a-heading'));
});
