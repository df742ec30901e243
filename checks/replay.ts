/**
 * The failure report's replay: a check's exchanges as `curl` commands sharing a cookie jar
 * (`-c jar -b jar`), shell-quoted, so a learner can paste them into a terminal.
 *
 * @module
 */
import type { Exchange, Step } from './http.ts';

/**
 * Quotes a word for a POSIX shell (single quotes; nothing inside is special).
 *
 * @example
 * shellQuote("it's"); // 'it'\''s'
 * shellQuote('/api/v1/users'); // /api/v1/users
 */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** One curl command for one exchange. */
export function curlCommand(exchange: Exchange): string {
  const words: string[] = ['curl', '-i', '-c', exchange.jar, '-b', exchange.jar];
  const hasBody = exchange.body !== undefined;
  if (exchange.method === 'HEAD') words.push('--head');
  // curl sends GET by default, and POST when there is a body.
  else if (!(exchange.method === 'GET' && !hasBody) && !(exchange.method === 'POST' && hasBody)) {
    words.push('-X', exchange.method);
  }
  for (const [name, value] of exchange.headers) words.push('-H', `${name}: ${value}`);
  // With a body curl adds a form Content-Type; "Content-Type:" removes it when we sent none.
  if (hasBody && !exchange.headers.some(([name]) => name.toLowerCase() === 'content-type')) words.push('-H', 'Content-Type:');
  const quoted = words.map(shellQuote);
  // --data-raw sends the text as it is (--data would read a file for a leading @).
  if (exchange.replayData !== undefined) quoted.push('--data-raw', exchange.replayData);
  else if (hasBody) quoted.push('--data-raw', shellQuote(exchange.body as string));
  quoted.push(shellQuote(exchange.url));
  return quoted.join(' ');
}

/**
 * The whole story: fresh jars, then one line per exchange, comments for other steps.
 *
 * @example
 * curlSequence(log.steps);
 * // ['rm -f jar', "curl -i -c jar -b jar http://127.0.0.1:5000/api/v1/users"]
 */
export function curlSequence(steps: readonly Step[]): string[] {
  const jars = [...new Set(steps.flatMap((step) => (step.kind === 'note' ? [] : [step.jar])))];
  const lines = jars.length ? [`rm -f ${jars.join(' ')}`] : [];
  for (const step of steps) {
    if (step.kind === 'exchange') lines.push(curlCommand(step));
    else if (step.kind === 'note') lines.push(`# ${step.text}`);
    else {
      // A cookie set by hand: one line of curl's Netscape cookie-jar format.
      const fields = [step.host, 'FALSE', step.path, 'FALSE', '0', step.name, step.value];
      lines.push(`printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' ${fields.map(shellQuote).join(' ')} >> ${step.jar}`);
    }
  }
  return lines;
}
