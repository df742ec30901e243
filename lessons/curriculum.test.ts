/**
 * The curriculum manifest (lessons/curriculum.ts) is the one place that says what each lesson
 * is; what cannot read it is tested against it here: the lesson folders, the `package.json`
 * scripts, the README's lesson table, the notes' titles, and the `AUTH_TYPE`s each server
 * accepts. And no two lessons export the same name.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { authTypesOf, lesson, lessonPaths, lessons, loginKind } from './curriculum.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const present = lessons.filter((entry) => existsSync(join(root, lessonPaths(entry).server)));

test('the manifest: numbered in order, one folder each, named after its number', () => {
  assert.deepEqual(
    lessons.map((entry) => entry.number),
    lessons.map((_, index) => index),
  );
  for (const entry of lessons) assert.match(entry.folder, new RegExp(`^${String(entry.number).padStart(2, '0')}-[a-z0-9-]+$`));
  // Every lesson's default AUTH_TYPE is one it accepts.
  for (const entry of lessons) if (entry.authType !== null) assert.ok(entry.authType in authTypesOf(entry.number), entry.folder);
});

test('every lesson folder of the checkout is in the manifest, and the first lessons are all there', () => {
  const folders = readdirSync(join(root, 'lessons'), { withFileTypes: true })
    .filter((dirent) => dirent.isDirectory() && /^\d\d-/.test(dirent.name))
    .map((dirent) => dirent.name);
  assert.deepEqual(folders.sort(), present.map((entry) => entry.folder).sort());
  assert.ok(present.length >= 7, 'lessons 0 to 6 are in the checkout');
});

test('package.json has `npm run lesson:N` for exactly the lessons there are', () => {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const lessonScripts = Object.fromEntries(Object.entries(scripts).filter(([name]) => /^lesson:\d+$/.test(name)));
  const expected = Object.fromEntries(present.map((entry) => [`lesson:${entry.number}`, `tsx ${lessonPaths(entry).server}`]));
  assert.deepEqual(lessonScripts, expected);
});

test("the README's lesson table is the manifest's", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const rows = [...readme.matchAll(/^\| (\d+) \| `npm run lesson:(\d+)` \| \[([^\]]+)\]\(\.\/lessons\/([^/]+)\/README\.md\) \| (.+) \|$/gm)];
  assert.deepEqual(
    rows.map(([, number, script, name, folder, adds]) => ({ number: Number(number), script: Number(script), name, folder, adds })),
    present.map((entry) => ({ number: entry.number, script: entry.number, name: entry.folder, folder: entry.folder, adds: entry.adds })),
  );
});

test("each lesson's notes are titled `Lesson N — title`, as its banner is", () => {
  for (const entry of present) {
    const notes = readFileSync(join(root, lessonPaths(entry).notes), 'utf8');
    assert.equal(/^# (.+)$/m.exec(notes)?.[1], `Lesson ${entry.number} — ${entry.title}`, lessonPaths(entry).notes);
  }
});

test('how a client logs in follows the AUTH_TYPE, a later lesson redefining an earlier one', () => {
  assert.equal(loginKind(0, 'basic_auth'), 'none');
  assert.equal(loginKind(1), 'basic');
  assert.equal(loginKind(1, 'auth'), 'nobody');
  assert.equal(loginKind(2), 'printed');
  assert.equal(loginKind(3, 'session_auth'), 'form');
  assert.equal(loginKind(3, 'session_exp_auth'), 'nobody');
  assert.throws(() => lesson(lessons.length), RangeError);
});

/** What lesson `number`'s server says of an `AUTH_TYPE` it does not know: the list it accepts. */
function acceptedAuthTypes(server: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', server], {
      cwd: root,
      env: { PATH: process.env.PATH, AUTH_TYPE: 'no_such_auth', DB_PATH: ':memory:', API_PORT: '0' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', () => resolve(stderr));
    // A server that started after all would never exit by itself.
    setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
  });
}

test("each lesson's server accepts exactly the AUTH_TYPEs taught up to it", async () => {
  const withAuth = present.filter((entry) => entry.authType !== null);
  const answers = await Promise.all(withAuth.map((entry) => acceptedAuthTypes(lessonPaths(entry).server)));
  for (const [index, entry] of withAuth.entries()) {
    const [, list] = /AUTH_TYPE must be one of (.+); got "no_such_auth"/.exec(answers[index]!) ?? [];
    assert.deepEqual(list?.split(', ').sort(), Object.keys(authTypesOf(entry.number)).sort(), `lesson ${entry.number}: ${answers[index]}`);
  }
});

test('no two lessons export the same name: one name per concept', () => {
  const exported = new Map<string, string[]>();
  const files = readdirSync(join(root, 'lessons'), { recursive: true, encoding: 'utf8' }).filter(
    (file) => file.endsWith('.ts') && !file.endsWith('.test.ts'),
  );
  for (const file of files) {
    const source = readFileSync(join(root, 'lessons', file), 'utf8');
    for (const [, name] of source.matchAll(/^export (?:async )?(?:function|class|const|let|interface|type|enum) ([A-Za-z0-9_$]+)/gm)) {
      exported.set(name!, [...(exported.get(name!) ?? []), file]);
    }
  }
  // The parser sees the exports (else an empty map would prove nothing).
  assert.deepEqual(exported.get('SessionExpAuth'), ['04-session-expiry/session-exp-auth.ts']);
  const twice = [...exported].filter(([, where]) => where.length > 1).map(([name, where]) => `${name}: ${where.join(', ')}`);
  assert.deepEqual(twice, []);
});
