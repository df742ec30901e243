/**
 * What a failure report shows besides its message: the answer that broke the claim (status,
 * the headers that matter, the body), and the replay: how to start the same server by hand,
 * then the check's story as curl commands.
 *
 * @module
 */
import type { CheckRun } from './context.ts';
import type { FailureDetails } from './expect.ts';
import type { HttpResponse } from './http.ts';
import { curlSequence } from './replay.ts';
import type { ClaimResult, SeededUser } from './types.ts';

/** Status line, the relevant headers and the body (trimmed), as the report shows an answer. */
export function describeResponse(res: HttpResponse, extraHeaders: readonly string[] = []): string {
  const names = new Set(['content-type', ...extraHeaders.map((name) => name.toLowerCase())]);
  for (const name of ['www-authenticate', 'allow', 'location', 'set-cookie']) if (res.headers[name] !== undefined) names.add(name);
  const lines = [`${res.status} ${res.statusText}`.trim()];
  for (const name of names) {
    const value = res.headers[name];
    if (value === undefined) lines.push(`${name}: (none)`);
    else for (const one of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${one}`);
  }
  const body = res.body.length > 400 ? `${res.body.slice(0, 400)}… (${res.body.length} characters)` : res.body;
  lines.push(body === '' ? '(empty body)' : body);
  return lines.join('\n');
}

/** The users a check's story used, for the replay's `npm run user:add` lines. */
function usersIn(run: CheckRun): SeededUser[] {
  const text = run.log.steps
    .map((step) => {
      // A note names the user a browser check logged in as.
      if (step.kind === 'note') return step.text;
      if (step.kind !== 'exchange') return '';
      const decoded = step.headers.map(([, value]) => (/^Basic /i.test(value) ? Buffer.from(value.slice(6), 'base64').toString('utf8') : value));
      return [step.path, step.body ?? '', ...decoded].join('\n');
    })
    .join('\n');
  return run.state.users.filter((user) => text.includes(user.email) || text.includes(encodeURIComponent(user.email)));
}

/** The fields a failure (or warning) adds to its result: expected, got, and the replay. */
export function failureFields(run: CheckRun, details: FailureDetails): Pick<ClaimResult, 'expected' | 'actual' | 'setup' | 'curl'> {
  const fields: Pick<ClaimResult, 'expected' | 'actual' | 'setup' | 'curl'> = {};
  if (details.expected) fields.expected = details.expected;
  if (details.response) fields.actual = describeResponse(details.response, details.headers);
  else if (details.actual) fields.actual = details.actual;
  // Only the main server is started up front; the others start in the story, where they did.
  const setup = run.main.setup(usersIn(run), run.state.replayPort);
  if (setup.length) fields.setup = setup;
  const curl = curlSequence(run.log.steps);
  if (curl.length) fields.curl = curl;
  return fields;
}
