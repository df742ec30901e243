/**
 * `npm run docs`, built into a temporary folder with `--check` (nothing in the checkout is
 * written): it must succeed without a warning, and the site must have a page for every
 * lesson, every guide and the claims catalogue, which lists every claim id.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir, removeTempDir } from '../shared/temp-dir.ts';
import { lessonFolders, projectRoot, readClaims } from './docs.ts';

test('npm run docs builds the site: lessons, guides, claims catalogue, API', (t) => {
  const out = makeTempDir('sandbox-docs-');
  t.after(() => removeTempDir(out));

  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/docs.ts', '--out', out, '--check'], {
    cwd: projectRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(run.status, 0, `npm run docs failed:\n${run.stdout}\n${run.stderr}`);
  const indexHtml = join(out, 'index.html');
  assert.equal(run.stdout.trim().split('\n').at(-1), indexHtml, 'prints the path of index.html');
  assert.ok(existsSync(indexHtml), 'index.html exists');
  assert.match(readFileSync(indexHtml, 'utf8'), /Quick start/, 'the home page is the README');

  const page = (path: string) => {
    assert.ok(existsSync(join(out, path)), `${path} is missing from the site`);
    return readFileSync(join(out, path), 'utf8');
  };
  const modules = readdirSync(join(out, 'modules'));

  for (const folder of lessonFolders()) {
    const name = basename(folder);
    const notes = join(projectRoot, folder, 'README.md');
    if (existsSync(notes)) {
      const title = /^# (.+)$/m.exec(readFileSync(notes, 'utf8'))?.[1] ?? name;
      assert.ok(page(`documents/${name}.html`).includes(title), `the notes of ${folder} have their title`);
    }
    const hasCode = readdirSync(join(projectRoot, folder), { recursive: true, encoding: 'utf8' }).some(
      (file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && file !== 'server.ts',
    );
    if (hasCode) {
      const prefix = `lessons_${name}_`;
      assert.ok(modules.some((file) => file.startsWith(prefix)), `the API reference has a section for ${folder}`);
    }
  }

  for (const guide of readdirSync(join(projectRoot, 'docs')).filter((file) => file.endsWith('.md'))) {
    page(`documents/${guide.replace(/\.md$/, '')}.html`);
  }

  const catalogue = page('documents/claims.html');
  const claims = readClaims();
  assert.ok(claims.length > 0, 'there are claims');
  const missing = claims.filter((claim) => !catalogue.includes(`id="${claim.id.toLowerCase()}"`));
  assert.deepEqual(missing.map((claim) => claim.id), [], 'every claim id has an entry (an anchor) in the catalogue');
});
