/**
 * The failure report's replay: a check's exchanges as `curl` commands, shell-quoted, so a
 * learner can paste them into a terminal. Nothing is written into the current folder: each
 * client's cookie jar is a `mktemp` file, the server's address a variable (`$base`) set once,
 * and a session id the server issued is read back from the jar (`$sid1`) wherever the check
 * sent it by hand, since a replayed login issues another id.
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

/** Values the replay reads into shell variables instead of pasting them: value → variable. */
type Captured = ReadonlyMap<string, string>;

/**
 * `text` as one shell word, with every captured value replaced by its variable
 * (`'Cookie: sid='"$sid1"`); the rest single-quoted.
 */
function shellWord(text: string, captured: Captured): string {
  const values = [...captured.keys()].filter((value) => text.includes(value));
  if (!values.length) return shellQuote(text);
  const pattern = new RegExp(values.map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  const parts: string[] = [];
  let at = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > at) parts.push(shellQuote(text.slice(at, match.index)));
    parts.push(`"$${captured.get(match[0])}"`);
    at = match.index + match[0].length;
  }
  if (at < text.length) parts.push(shellQuote(text.slice(at)));
  return parts.join('');
}

/**
 * One curl command for one exchange. A request that sends its own `Cookie` header does not
 * send the jar's (as the checks' client does); the answer's cookies still go into the jar.
 */
export function curlCommand(exchange: Exchange, captured: Captured = new Map()): string {
  const ownCookie = exchange.headers.some(([name]) => name.toLowerCase() === 'cookie');
  const words: string[] = ['curl', '-i', '-c', `"$${exchange.jar}"`, ...(ownCookie ? [] : ['-b', `"$${exchange.jar}"`])];
  const hasBody = exchange.body !== undefined;
  if (exchange.method === 'HEAD') words.push('--head');
  // curl sends GET by default, and POST when there is a body.
  else if (!(exchange.method === 'GET' && !hasBody) && !(exchange.method === 'POST' && hasBody)) {
    words.push('-X', exchange.method);
  }
  for (const [name, value] of exchange.headers) words.push('-H', shellWord(`${name}: ${value}`, captured));
  // With a body curl adds a form Content-Type; "Content-Type:" removes it when we sent none.
  if (hasBody && !exchange.headers.some(([name]) => name.toLowerCase() === 'content-type')) words.push('-H', 'Content-Type:');
  // --data-raw sends the text as it is (--data would read a file for a leading @).
  if (exchange.replayData !== undefined) words.push('--data-raw', exchange.replayData);
  else if (hasBody) words.push('--data-raw', shellWord(exchange.body as string, captured));
  words.push(`"$${exchange.base}"${exchange.path === '' ? '' : shellWord(exchange.path, captured)}`);
  return words.join(' ');
}

/** Session ids and other cookie values shorter than this are pasted: they would match anything. */
const CAPTURE_MIN_LENGTH = 8;

/** Whether a later step sends `value` by hand (a header, a body, a URL, a cookie put in a jar). */
function sentLater(steps: readonly Step[], from: number, value: string): boolean {
  return steps.slice(from).some((step) => {
    if (step.kind === 'cookie') return step.value.includes(value);
    if (step.kind !== 'exchange') return false;
    return [step.path, step.body ?? '', ...step.headers.map(([, header]) => header)].some((text) => text.includes(value));
  });
}

/**
 * The whole story: the variables (server addresses, fresh jar files), then one line per
 * exchange, comments for other steps, and a line that reads a session id from a jar right
 * after the answer that set it, when the check later sends it by hand.
 *
 * @example
 * curlSequence(log.steps);
 * // ['base=http://127.0.0.1:5000 jar=$(mktemp)', 'curl -i -c "$jar" -b "$jar" "$base"/api/v1/users']
 */
export function curlSequence(steps: readonly Step[]): string[] {
  const bases = new Map<string, string>();
  const jars = new Set<string>();
  for (const step of steps) {
    if (step.kind === 'exchange') bases.set(step.base, step.baseUrl);
    if (step.kind === 'exchange' || step.kind === 'cookie') jars.add(step.jar);
  }
  const header = [...[...bases].map(([name, url]) => `${name}=${shellQuote(url)}`), ...[...jars].map((jar) => `${jar}=$(mktemp)`)];
  const lines = header.length ? [header.join(' ')] : [];
  const captured = new Map<string, string>();
  steps.forEach((step, index) => {
    if (step.kind === 'exchange') {
      lines.push(curlCommand(step, captured));
      for (const { name, value } of step.setCookies ?? []) {
        if (value.length < CAPTURE_MIN_LENGTH || captured.has(value) || !sentLater(steps, index + 1, value)) continue;
        const variable = `sid${captured.size + 1}`;
        captured.set(value, variable);
        // Fields 6 and 7 of curl's cookie jar (Netscape format) are the name and the value.
        lines.push(`${variable}=$(awk -v n=${shellQuote(name)} '$6 == n { v = $7 } END { print v }' "$${step.jar}")`);
      }
    } else if (step.kind === 'note') lines.push(`# ${step.text}`);
    else if (step.kind === 'start') lines.push(...step.lines.map((line) => `#   ${line}`));
    else {
      // A cookie set by hand: one line of curl's Netscape cookie-jar format.
      const fields = [step.host, 'FALSE', step.path, 'FALSE', '0', step.name].map(shellQuote);
      lines.push(`printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' ${fields.join(' ')} ${shellWord(step.value, captured)} >> "$${step.jar}"`);
    }
  });
  return lines;
}
