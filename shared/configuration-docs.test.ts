/**
 * Every variable a server reads is documented for the learner: a row of the README's
 * configuration table and an entry of `.env.example`, and neither lists one that no code reads.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '..');

/** The non-test TypeScript files under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => join(dir, file));
}

/** The variables the lessons and `shared/` read, as `env.NAME`. */
function variablesRead(): Set<string> {
  const names = new Set<string>();
  for (const file of [...sources('shared'), ...sources('lessons')]) {
    for (const [, name] of readFileSync(join(root, file), 'utf8').matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b/g)) names.add(name!);
  }
  return names;
}

test("the README's configuration table and .env.example list exactly the variables the servers read", () => {
  const read = variablesRead();
  assert.ok(read.has('API_PORT') && read.has('PASSWORD_HASH_COST'), `found: ${[...read].join(', ')}`);
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
  const rows = new Set([...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((match) => match[1]!));
  const example = readFileSync(join(root, '.env.example'), 'utf8');
  const entries = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]!));
  assert.deepEqual([...rows].sort(), [...read].sort(), 'README.md, ## Configuration');
  assert.deepEqual([...entries].sort(), [...read].sort(), '.env.example');
});
