/**
 * `npm run docs`, built into a temporary folder with `--check` (nothing in the checkout is
 * written): it must succeed without a warning, and the site must have a page for every
 * lesson and its code, every guide, the fuzzer's notes and the claims catalogue, which lists
 * every claim id; and no page may scroll sideways on a 375-pixel phone (with Chromium).
 *
 * @module
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { chromiumArgs, chromiumMissing, chromiumPath } from '../checks/browser.ts';
import { makeTempDir, removeTempDir } from '../shared/temp-dir.ts';
import { lessonFiles, lessonFolders, projectRoot, readClaims } from './docs.ts';

test('npm run docs builds the site: lessons, their code, guides, claims catalogue, API', async (t) => {
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
    // The code page shows every file of the lesson, highlighted (TypeDoc's {@includeCode}).
    const code = page(`documents/code-${name}.html`);
    for (const file of lessonFiles(folder)) assert.ok(code.includes(`>${file}</`), `the code page of ${folder} shows ${file}`);
    assert.ok((code.match(/<pre>/g) ?? []).length >= lessonFiles(folder).length, `the code page of ${folder} has a code block per file`);
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

  assert.match(page('documents/fuzz.html'), /npm run fuzz/, 'fuzz/README.md is a page, not raw markdown');

  // Every picture of the notes and guides is in the site (TypeDoc copies the ones it sees).
  for (const file of readdirSync(join(out, 'documents'))) {
    for (const [, src] of readFileSync(join(out, 'documents', file), 'utf8').matchAll(/<img src="([^"]+)"/g)) {
      assert.ok(existsSync(join(out, 'documents', src!)), `documents/${file} shows ${src}, which is not in the site`);
    }
  }

  const catalogue = page('documents/claims.html');
  const claims = readClaims();
  assert.ok(claims.length > 0, 'there are claims');
  const missing = claims.filter((claim) => !catalogue.includes(`id="${claim.id.toLowerCase()}"`));
  assert.deepEqual(missing.map((claim) => claim.id), [], 'every claim id has an entry (an anchor) in the catalogue');

  await t.test('no page scrolls sideways on a 375-pixel phone', { skip: chromiumMissing() ?? false }, async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: chromiumPath(), args: [...chromiumArgs] });
    const folders = ['documents', 'modules', 'classes', 'functions', 'interfaces', 'variables', 'types'].filter((dir) => existsSync(join(out, dir)));
    const pages = ['index.html', ...folders.flatMap((dir) => readdirSync(join(out, dir)).map((file) => `${dir}/${file}`))];
    const wide: string[] = [];
    try {
      const phone = await browser.newPage({ viewport: { width: 375, height: 800 } });
      for (const path of pages) {
        await phone.goto(pathToFileURL(join(out, path)).href);
        const width = await phone.evaluate(() => document.documentElement.scrollWidth);
        if (width > 375) wide.push(`${path} (${width} px)`);
      }
    } finally {
      await browser.close();
    }
    assert.ok(pages.length > 20, 'the site has its pages');
    assert.deepEqual(wide, [], 'pages wider than the phone');
  });
});
