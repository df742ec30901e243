/**
 * The learner's workspace: a copy of `lessons/` (without the notes and the tests) in which
 * each step's body is a stub, made from the `@step` markers of the reference code. At the
 * project root (`workspace/`), its imports are the lessons' own: `../../shared/` and
 * `../curriculum.ts` resolve from `workspace/NN-*` as from `lessons/NN-*`, and a lesson imports
 * the learner's earlier lessons. Elsewhere (the soundness tests' temporary copies) the imports
 * that leave the copy are rewritten to point at the project.
 *
 * @module
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { allSteps, findStep, stepNotes, type Lesson, type Step } from '../lessons/curriculum.ts';
import { findMarkers, stubSource, type Marker, type StubInfo } from './markers.ts';
import { lessonsDir, projectRoot } from './paths.ts';

export { lessonsDir, projectRoot, shown, workspaceDir } from './paths.ts';

/** A file of a workspace is a copy of `lessons/` unless it is a lesson's notes or a test. */
function copied(file: string): boolean {
  return !file.endsWith('.test.ts') && !/(^|\/)README\.md$/.test(file);
}

/**
 * The files a workspace holds, from the lessons' folder (`02-session-auth/session-auth.ts`),
 * in a fixed order; with `folders`, only those lessons' files and the manifest.
 */
export function referenceFiles(folders?: readonly string[]): string[] {
  const files = readdirSync(lessonsDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(lessonsDir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter(copied)
    .sort();
  return folders ? files.filter((file) => !file.includes('/') || folders.some((folder) => file.startsWith(`${folder}/`))) : files;
}

/** What a step's stub says, from the manifest; throws when the marker and the manifest disagree. */
export function stubInfo(marker: Marker, file: string): StubInfo {
  const { lesson, step } = findStep(marker.step);
  if (step.name !== marker.name || `${lesson.folder}/${step.file}` !== file) {
    throw new Error(`@step ${marker.step} marks ${marker.name} in ${file}; the manifest says ${step.name} in ${lesson.folder}/${step.file}`);
  }
  return { id: step.id, name: step.name, notes: stepNotes(lesson, step) };
}

/**
 * `source`, a file of `lessons/` (`file`, from there), as it is in a workspace at `dir`: the
 * steps `stubbed` says stubbed, and the imports that leave `lessons/` pointing at the project.
 */
export function workspaceSource(file: string, source: string, dir: string, stubbed: (id: string) => boolean): string {
  if (!file.endsWith('.ts')) return source;
  const depth = file.split('/').length - 1;
  const withStubs = stubSource(source, depth, (marker) => (stubbed(marker.step) ? stubInfo(marker, file) : null));
  return relocateImports(withStubs, file, dir);
}

/**
 * A file of workspace `dir` (`file`, from there) with step `id` stubbed again (`reset`), the
 * learner's other code as it is. Only the import a stub may add is relocated: the rest of the
 * file was relocated when it was written.
 */
export function restub(file: string, source: string, dir: string, id: string): string {
  const stubbed = stubSource(source, file.split('/').length - 1, (marker) => (marker.step === id ? stubInfo(marker, file) : null));
  if (/^import \{ NotWrittenError \} from /m.test(source)) return stubbed;
  return stubbed.replace(/^import \{ NotWrittenError \} from .*$/m, (line) => relocateImports(line, file, dir));
}

// `from '...'`, `import '...'` and `import('...')` with a relative specifier.
const RELATIVE_IMPORT = /(\bfrom\s*|^\s*import\s*|\bimport\(\s*)(['"])(\.\.?\/[^'"]+)\2/gm;

/** Rewrites the relative imports of `file` that leave `lessons/`, for a copy at `dir`. */
function relocateImports(source: string, file: string, dir: string): string {
  const from = dirname(join(lessonsDir, file));
  const to = dirname(join(dir, file));
  if (from === to) return source;
  return source.replace(RELATIVE_IMPORT, (whole, lead: string, quote: string, specifier: string) => {
    const target = resolve(from, specifier);
    if (!relative(lessonsDir, target).startsWith('..')) return whole;
    const path = relative(to, target).split(sep).join('/');
    return `${lead}${quote}${path.startsWith('.') ? path : `./${path}`}${quote}`;
  });
}

/** Options of {@link writeWorkspace}. */
export interface WriteOptions {
  /** Which steps are stubs (default: all of them). */
  stubbed?: (id: string) => boolean;
  /** Only the files of these lesson folders (default: every file). */
  folders?: readonly string[];
  /** Replaces a file's text after stubbing (tests write a learner's solution this way). */
  edit?: (file: string, source: string) => string;
}

/**
 * Writes a workspace at `dir`: every file of `lessons/` but the notes and tests, with the
 * chosen steps stubbed, plus a `tsconfig.json` for editors and `tsc`. A copy outside the
 * project root also gets a `package.json` (ES modules) and a link to the project's
 * `node_modules`.
 *
 * @example
 * writeWorkspace('workspace'); // every step a stub
 * writeWorkspace(tmp, { stubbed: (id) => id === '2.3' }); // the reference, but for step 2.3
 */
export function writeWorkspace(dir: string, options: WriteOptions = {}): void {
  const stubbed = options.stubbed ?? (() => true);
  for (const file of referenceFiles(options.folders)) {
    const source = workspaceSource(file, readFileSync(join(lessonsDir, file), 'utf8'), dir, stubbed);
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), options.edit ? options.edit(file, source) : source);
  }
  const outside = dirname(resolve(dir)) !== projectRoot;
  const base = outside ? join(projectRoot, 'tsconfig.json') : '../tsconfig.json';
  // Editors and `npx tsc -p workspace` type-check the learner's code with the project's settings.
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify({ extends: base, include: ['.'] }, null, 2)}\n`);
  if (outside) {
    writeFileSync(join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
    if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(projectRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  }
}

/** The markers of a workspace file, with where each step is (the learner may have moved it). */
export function markersIn(dir: string, file: string): Marker[] {
  const path = join(dir, file);
  return existsSync(path) ? findMarkers(readFileSync(path, 'utf8'), file) : [];
}

/** Where a step is in a workspace: its file and the line of its body, or null when its marker is gone. */
export function stepLocation(dir: string, lesson: Lesson, step: Step): { file: string; line: number } | null {
  const file = `${lesson.folder}/${step.file}`;
  const marker = markersIn(dir, file).find((one) => one.step === step.id);
  return marker ? { file: join(dir, file), line: marker.bodyLine } : null;
}

/** The steps of the lessons numbered `numbers`. */
export function stepsOf(numbers: readonly number[]): Step[] {
  return allSteps()
    .filter(({ lesson }) => numbers.includes(lesson.number))
    .map(({ step }) => step);
}
