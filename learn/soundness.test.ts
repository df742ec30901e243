/**
 * The exercise curriculum is sound (rustlings' `dev check`): the manifest and the `@step`
 * markers agree; the reference passes every step's tests; a fresh workspace fails them all;
 * every stub matters (the reference with one step stubbed fails that step's tests, naming
 * it); a workspace filled with the reference passes them all; and the stubbed workspace
 * type-checks. The step tests run in this process: each copy of the lessons sits in a folder
 * of its own, so it gets modules of its own.
 *
 * The HTTP side (a stubbed lesson's server starts and fails its claims as "not written yet",
 * the reference's passes) is in `done-when.test.ts`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { headingSlugs } from '../checks/claims.ts';
import { allSteps, lessonPaths, lessons } from '../lessons/curriculum.ts';
import { findMarkers } from './markers.ts';
import { sectionIn, writeItYourself } from './notes.ts';
import { runSteps } from './run-steps.ts';
import { lessonsDir, projectRoot, referenceFiles, writeWorkspace } from './workspace.ts';

const steps = allSteps();
const ids = steps.map(({ step }) => step.id);
const scratch = mkdtempSync(join(tmpdir(), 'learn-soundness-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('the manifest and the @step markers agree, and each step has its notes section, test and hints', async () => {
  const markers = referenceFiles().flatMap((file) => findMarkers(readFileSync(join(lessonsDir, file), 'utf8'), file).map((marker) => ({ file, ...marker })));
  assert.ok(markers.length >= 40, 'the parser finds the markers');
  assert.deepEqual(
    markers.map(({ step, name, file }) => ({ step, name, file })).sort((a, b) => a.step.localeCompare(b.step, 'en', { numeric: true })),
    steps.map(({ lesson, step }) => ({ step: step.id, name: step.name, file: `${lesson.folder}/${step.file}` })),
    'one marker per step, on the function the manifest names, in the file it names',
  );
  for (const entry of lessons.filter((one) => one.number <= 6)) assert.ok(entry.steps?.length, `lesson ${entry.number} has steps`);
  for (const entry of lessons) {
    const notes = headingSlugs(readFileSync(join(projectRoot, lessonPaths(entry).notes), 'utf8'));
    (entry.steps ?? []).forEach((step, index) => {
      assert.equal(step.id, `${entry.number}.${index + 1}`, `lesson ${entry.number}'s steps are numbered ${entry.number}.1, ${entry.number}.2, ...`);
      assert.ok(notes.has(step.section), `step ${step.id}: its notes section #${step.section} is a heading of ${lessonPaths(entry).notes}`);
      assert.ok(step.hints.length >= 2 && step.hints.length <= 3, `step ${step.id} has two or three hints`);
    });
  }
  for (const { step } of steps) {
    const [file, name] = step.test.split('#') as [string, string];
    const module = (await import(pathToFileURL(join(projectRoot, file)).href)) as Record<string, unknown>;
    assert.equal(typeof module[name], 'function', `step ${step.id}: ${step.test} is a test`);
  }
});

test('each lesson\'s notes list its steps, in a "Write it yourself" section just before its claims', () => {
  for (const entry of lessons.filter((one) => one.steps?.length)) {
    const path = lessonPaths(entry).notes;
    const notes = readFileSync(join(projectRoot, path), 'utf8');
    const expected = writeItYourself(entry);
    assert.equal(sectionIn(notes), expected, `${path} should have, just before "## Claims":\n\n${expected}`);
    assert.ok(notes.includes(`${expected}## Claims\n`), `${path}: the section comes just before "## Claims"`);
  }
});

test('the reference passes every step\'s tests', async () => {
  const failing = (await runSteps(lessonsDir, ids)).filter((result) => !result.ok);
  assert.deepEqual(failing, []);
});

test('a fresh workspace fails every step\'s tests, as "not written yet"', async () => {
  const dir = join(scratch, 'fresh');
  writeWorkspace(dir);
  const results = await runSteps(dir, ids);
  assert.deepEqual(
    results.filter((result) => result.ok || !result.failure?.notWritten),
    [],
    'every step fails, on a stub',
  );
});

test('every stub matters: the reference with one step stubbed fails that step\'s tests, which name it', async () => {
  const wrong: string[] = [];
  for (const { lesson, step } of steps) {
    const dir = join(scratch, `only-${step.id}`);
    // The lessons up to this one: a lesson imports only earlier ones.
    writeWorkspace(dir, { stubbed: (id) => id === step.id, folders: lessons.filter((one) => one.number <= lesson.number).map((one) => one.folder) });
    const [result] = await runSteps(dir, [step.id]);
    if (result!.ok || !result!.failure?.notWritten || !result!.failure.message.includes(`not written yet: ${step.name} (`)) {
      wrong.push(`${step.id} ${step.name}: ${result!.ok ? 'passes with its stub' : result!.failure?.message}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('a workspace filled with the reference passes every step\'s tests', async () => {
  const dir = join(scratch, 'filled');
  writeWorkspace(dir, { stubbed: () => false });
  const failing = (await runSteps(dir, ids)).filter((result) => !result.ok);
  assert.deepEqual(failing, []);
});

test('the stubbed workspace type-checks', () => {
  const dir = join(scratch, 'typecheck');
  writeWorkspace(dir);
  const config = ts.getParsedCommandLineOfConfigFile(join(dir, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  assert.ok(config && config.fileNames.length > 30, 'the workspace has a tsconfig.json that includes its files');
  const program = ts.createProgram(config.fileNames, config.options);
  const problems = ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => diagnostic.file?.fileName.startsWith(dir))
    .map((diagnostic) => `${diagnostic.file!.fileName.slice(dir.length + 1)}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
  assert.deepEqual(problems, []);
});
