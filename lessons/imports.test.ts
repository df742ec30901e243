/**
 * The import direction (DESIGN.md, "How lessons relate"): lesson NN imports only from lessons
 * numbered NN or lower, from `shared/` and from packages; nothing in `shared/` imports from
 * `lessons/`. So a lesson never depends on one the learner has not reached yet.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../shared/temp-dir.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

// `import ... from 'x'` and `export ... from 'x'` (also over several lines), `import 'x'`,
// and `import('x')`. The statements must start a line, so comments and strings don't count.
const IMPORT_SPECIFIERS = [
  /^\s*(?:import|export)\s[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm,
  /^\s*import\s*['"]([^'"]+)['"]/gm,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** Every module a source file imports, as written. */
function importSpecifiers(source: string): string[] {
  return IMPORT_SPECIFIERS.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!));
}

/** Every `.ts` file under `dir`, recursively. */
function typeScriptFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : typeScriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The lesson number of a path like `lessons/03-session-login/app.ts`, or null. */
function lessonNumber(path: string): number | null {
  const match = /^lessons\/(\d+)-[^/]+\//.exec(path);
  return match ? Number(match[1]) : null;
}

/** Why importing `target` from `file` breaks the rule, or null when it is fine (paths from the root). */
function violation(file: string, target: string): string | null {
  if (file.startsWith('shared/') && target.startsWith('lessons/')) return 'shared/ never imports from lessons/';
  const lesson = lessonNumber(file);
  if (lesson === null) return null; // not inside a lesson (a tool like this test)
  const imported = lessonNumber(target);
  if (imported !== null) return imported <= lesson ? null : `lesson ${lesson} imports a later lesson (${imported})`;
  if (target.startsWith('shared/')) return null;
  // The manifest imports nothing, and says what every lesson is (its number, title, folder).
  if (target === 'lessons/curriculum.ts') return null;
  return `lesson ${lesson} may import only from earlier lessons, shared/ and packages`;
}

/**
 * Every import under `lessons/` and `shared/` of `root` that breaks the rule, as
 * "file: import 'specifier' (why)".
 */
function importViolations(root: string): string[] {
  const files = [...typeScriptFiles(join(root, 'lessons')), ...typeScriptFiles(join(root, 'shared'))];
  return files.flatMap((path) => {
    const file = relative(root, path).split(sep).join('/');
    return importSpecifiers(readFileSync(path, 'utf8'))
      .filter((specifier) => specifier.startsWith('.')) // packages and node: modules are always fine
      .flatMap((specifier) => {
        const target = relative(root, resolve(dirname(path), specifier)).split(sep).join('/');
        const why = violation(file, target);
        return why ? [`${file}: import '${specifier}' (${why})`] : [];
      });
  });
}

test('lessons import only earlier lessons and shared/; shared/ imports no lesson', () => {
  // The parser sees the real imports (else an empty list would prove nothing).
  const lesson1 = readFileSync(join(projectRoot, 'lessons/01-basic-auth/app.ts'), 'utf8');
  assert.ok(importSpecifiers(lesson1).includes('../00-users-api/views/users.ts'));

  assert.deepEqual(importViolations(projectRoot), []);
});

test('the check finds every kind of wrong import (on a made-up project)', () => {
  const root = makeTempDir('imports-test-');
  const files: Record<string, string> = {
    'shared/db.ts': `import { createApp } from '../lessons/00-users/app.ts';\n`,
    'shared/ok.ts': `import Database from 'better-sqlite3';\nimport { x } from './db.ts';\n`,
    'lessons/00-users/app.ts': [
      `import {`,
      `  later,`,
      `} from '../01-auth/auth.ts';`,
      `// import { fine } from '../01-auth/comment.ts';`,
      `const text = "import { notReal } from '../01-auth/string.ts'";`,
      ``,
    ].join('\n'),
    'lessons/01-auth/auth.ts': [
      `import { createApp } from '../00-users/app.ts';`,
      `import type { Db } from '../../shared/db.ts';`,
      `export * from '../02-session/session.ts';`,
      `import '../../checks/helpers.ts';`,
      `const later = await import('../03-login/login.ts');`,
      ``,
    ].join('\n'),
  };
  for (const [file, source] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), source);
  }

  assert.deepEqual(importViolations(root).sort(), [
    `lessons/00-users/app.ts: import '../01-auth/auth.ts' (lesson 0 imports a later lesson (1))`,
    `lessons/01-auth/auth.ts: import '../../checks/helpers.ts' (lesson 1 may import only from earlier lessons, shared/ and packages)`,
    `lessons/01-auth/auth.ts: import '../02-session/session.ts' (lesson 1 imports a later lesson (2))`,
    `lessons/01-auth/auth.ts: import '../03-login/login.ts' (lesson 1 imports a later lesson (3))`,
    `shared/db.ts: import '../lessons/00-users/app.ts' (shared/ never imports from lessons/)`,
  ]);
});
