/**
 * `npm run attack -- <name> --lesson N`: runs one attack of issue 15 on a fresh server of
 * lesson N (its own defaults) and says whether it got through. `--list` names them;
 * `all` runs each one on lessons 6 and 7, side by side. `--screenshots DIR` keeps what the
 * browser attacks saw.
 *
 * @module
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { attacks, runAttack, type Attack } from './catalogue.ts';

const usage = `usage: npm run attack -- <name> [--lesson N] [--screenshots DIR]
       npm run attack -- all [--screenshots DIR]     every attack, on lessons 6 and 7
       npm run attack -- --list`;

function describe(attack: Attack): string {
  return `${attack.name.padEnd(22)} ${attack.item.padEnd(24)} ${attack.goal}${attack.browser ? ' (Chromium)' : ''}`;
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { lesson: { type: 'string', default: '7' }, screenshots: { type: 'string' }, list: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help || values.list || positionals.length === 0) {
    console.log(`${usage}\n\nThe attacks (each refused on lesson 7, proved by the claim it names):\n${attacks.map((a) => `  ${describe(a)}  [${a.claim}]`).join('\n')}`);
    return values.help || values.list ? 0 : 2;
  }
  const screenshots = values.screenshots ? resolve(values.screenshots) : null;
  if (screenshots) mkdirSync(screenshots, { recursive: true });
  const [name] = positionals;
  if (name === 'all') {
    console.log(`${'attack'.padEnd(22)} lesson 6      lesson 7`);
    for (const attack of attacks) {
      const [six, seven] = [await runAttack(attack, 6, screenshots), await runAttack(attack, 7, screenshots)];
      const verdict = (succeeded: boolean) => (succeeded ? 'got through' : 'refused').padEnd(13);
      console.log(`${attack.name.padEnd(22)} ${verdict(six.succeeded)} ${verdict(seven.succeeded)} ${seven.summary}`);
    }
    return 0;
  }
  const attack = attacks.find((one) => one.name === name);
  if (!attack) {
    console.error(`error: no attack "${name}"; npm run attack -- --list names them`);
    return 2;
  }
  if (!/^\d+$/.test(values.lesson)) {
    console.error(`error: --lesson takes a lesson number, got "${values.lesson}"`);
    return 2;
  }
  const lesson = Number(values.lesson);
  console.log(`${attack.name} on lesson ${lesson}: ${attack.goal}`);
  const outcome = await runAttack(attack, lesson, screenshots);
  outcome.steps.forEach((step, i) => console.log(`  ${i + 1}. ${step}`));
  for (const shot of outcome.screenshots ?? []) console.log(`  screenshot: ${shot}`);
  console.log(`${outcome.succeeded ? 'GOT THROUGH' : 'REFUSED'}: ${outcome.summary}${outcome.succeeded ? '' : ` (proved by ${attack.claim})`}`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  // One line: a lesson number the curriculum lacks, Chromium missing, a server that did not start.
  console.error(`error: ${(error as Error).message.split('\n')[0]}`);
  process.exitCode = 1;
}
