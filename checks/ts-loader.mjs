/**
 * A small TypeScript loader for the servers the check runner starts (and for the runner
 * itself): `node --enable-source-maps --import ./checks/ts-loader.mjs server.ts`.
 *
 * Why not tsx, which everything else runs with: a check run starts some twenty servers, and
 * tsx's start-up costs each about 0.6 s of CPU, more than the server itself. This does the one
 * thing those servers need, the same way tsx does it: each `.ts` file is turned into
 * JavaScript by esbuild (types stripped, file by file, `verbatimModuleSyntax` as in
 * tsconfig.json), and the result is cached on disk, keyed by the source, so a start that finds
 * every file in the cache never loads esbuild at all.
 *
 * It is plain JavaScript because it is what loads TypeScript.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

// Imported with --import, this file registers itself; loaded again in Node's loader thread
// (a worker), it is the hooks.
if (isMainThread) register(import.meta.url);

const cacheDir = join(tmpdir(), `sandbox-ts-cache-${userInfo().uid}`);
// tsx's own esbuild: the one that compiles everything else, so both make the same JavaScript.
const fromTsx = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
/** Part of every cache key: another esbuild, or other options, make other JavaScript. */
const recipe = `esbuild ${fromTsx('esbuild/package.json').version}, options v1`;
let esbuild;

/** JavaScript for the TypeScript in `file`, from the cache or from esbuild. */
async function compile(file, source) {
  const key = createHash('sha256').update(recipe).update(file).update('\0').update(source).digest('hex');
  const cached = join(cacheDir, `${key}.mjs`);
  try {
    return readFileSync(cached, 'utf8');
  } catch {
    // Not in the cache yet.
  }
  esbuild ??= fromTsx('esbuild');
  const { code } = await esbuild.transform(source, {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    sourcefile: file,
    // Stack traces point at the TypeScript lines (with node --enable-source-maps).
    sourcemap: 'inline',
    tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
  });
  mkdirSync(cacheDir, { recursive: true });
  // Written aside, then renamed: servers starting at the same time never read half a file.
  const partial = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(partial, code);
  renameSync(partial, cached);
  return code;
}

/** Node's `load` hook: TypeScript files as ES modules, everything else as Node loads it. */
export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const file = fileURLToPath(url);
  return { format: 'module', source: await compile(file, readFileSync(file, 'utf8')), shortCircuit: true };
}
