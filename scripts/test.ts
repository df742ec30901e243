/**
 * `npm test`: runs every `*.test.ts` file with Node's test runner (Node 20 does not find
 * TypeScript test files by itself). Extra arguments are passed to `node --test`.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['shared', 'lessons', 'checks', 'scripts', 'bench', 'fuzz', 'attacks', 'docs', 'learn'];

function testFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = roots.flatMap(testFiles).sort();
const { status } = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...process.argv.slice(2), ...files], {
  stdio: 'inherit',
});
process.exit(status ?? 1);
