/**
 * The shell examples of the notes and guides, run for real: every `sh` block that starts a
 * lesson's server starts it (on a free port, with a temporary database), and every `sh` block
 * with a `curl` in it runs in bash against that server, each `curl`'s answer compared with
 * the one the block shows. `scripts/transcripts.test.ts` runs the README, every lesson's notes
 * and every guide this way.
 *
 * How a block shows an answer: the comment lines right below a `curl` command (no blank line
 * between) are its expected answer, and must all read as one:
 *
 * ```sh
 * curl -i -X PATCH http://127.0.0.1:5000/api/v1/users     # a remark goes after the command
 * # 405
 * # Allow: GET, POST, HEAD, OPTIONS
 * # {"error":"Method Not Allowed"}
 * curl http://127.0.0.1:5000/api/v1/status
 * # 200 {"status":"OK"}
 * ```
 *
 * - the status first, alone or followed by the body on the same line;
 * - then any response header as `Name: value` (only after `curl -i`, which prints them);
 * - then the body, if not on the status line, exactly as curl prints it (our JSON is compact);
 * - `...` stands for anything: `"..."` for any JSON string, `,...}` for more fields.
 *
 * Other commands (`cp jar old-jar`, `SID=$(...)`, `npm run sql -- ...`) run as they are and
 * must succeed. A block that only starts servers (`npm run lesson:3`, `API_PORT=5001 npm run
 * lesson:5`, `npm install` is skipped) starts or restarts them, on the file's one database;
 * its comment lines are lines the server must print. Blocks with neither (`npm run check`) are
 * not run.
 *
 * What the test changes, so that a transcript runs anywhere and fast:
 * - `http://127.0.0.1:5000` (any port) is the test's server started for that port;
 * - `data/sandbox.db` is the file's temporary database (exported as `DB_PATH` too);
 * - a session id the server's output shows (`Session ID: <43 characters>`) is the one it printed;
 * - time runs {@link timeDivisor} times faster: `SESSION_DURATION=10` starts the server with 2,
 *   `sleep 10` sleeps 2 s, and an expected `Max-Age=10` (a lifetime a server was started with)
 *   is `Max-Age=2`. (curl counts a cookie's `Max-Age` in whole seconds: a transcript that
 *   waits for curl to drop a cookie must wait a few seconds more than its lifetime.)
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LessonServer, makeTempDir, projectRoot, removeTempDir } from '../checks/server.ts';
import { lesson, lessonPaths } from '../lessons/curriculum.ts';

/** How many times faster the test runs the clock of a transcript (see the module comment). */
export const timeDivisor = 5;

/** One header a transcript expects, `Name: value` (the value may use `...`). */
export interface ExpectedHeader {
  name: string;
  value: string;
}

/** A `curl` command of a transcript, and the answer shown below it. */
export interface CurlStep {
  /** Its first line in the markdown file, from 1. */
  line: number;
  /** The command, continuation lines joined. */
  command: string;
  status: number;
  headers: ExpectedHeader[];
  /** The body pattern, or undefined when the transcript shows none. */
  body: string | undefined;
}

/** A server a block starts: `SESSION_DURATION=10 npm run lesson:4`. */
export interface ServerStart {
  line: number;
  lesson: number;
  /** The variables set before `npm run`, `API_PORT` left out. */
  env: Record<string, string>;
  /** The port the transcripts use for it (`API_PORT`, 5000 by default). */
  port: number;
}

/** A runnable block of a markdown file. */
export type Block =
  | { kind: 'servers'; line: number; starts: ServerStart[]; prints: { line: number; text: string }[] }
  | { kind: 'shell'; line: number; lines: string[]; curls: CurlStep[] };

/** A mistake in how a block is written (not in what the server answers). */
export class TranscriptSyntaxError extends Error {
  override name = 'TranscriptSyntaxError';
}

const SERVER_LINE = /^((?:[A-Z_]+=\S*\s+)*)npm run lesson:(\d+)$/;
const SKIPPED_LINE = /^npm (?:install|ci)$/;
const STATUS_LINE = /^(\d{3})(?: (.+))?$/;
const HEADER_LINE = /^([A-Za-z][A-Za-z0-9-]*): (.*)$/;

/** A command line without its trailing `# remark` (not inside quotes), trimmed. */
function withoutRemark(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === "'" || char === '"') quote = char;
    else if (char === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i).trim();
  }
  return line.trim();
}

/** The `sh` blocks of a markdown text: their first line (from 1) and their lines. */
function shellBlocks(markdown: string): { line: number; lines: string[] }[] {
  const blocks: { line: number; lines: string[] }[] = [];
  let open: { line: number; lines: string[] } | null = null;
  let fence: string | null = null;
  markdown.split('\n').forEach((text, index) => {
    if (fence === null) {
      const start = /^(```+)\s*(\w*)/.exec(text);
      if (!start) return;
      fence = start[1]!;
      if (['sh', 'bash', 'shell'].includes(start[2]!)) open = { line: index + 2, lines: [] };
    } else if (text.trim() === fence) {
      if (open) blocks.push(open);
      open = null;
      fence = null;
    } else {
      open?.lines.push(text);
    }
  });
  return blocks;
}

/** Reads the expected answer from the comment lines below a curl command. */
function readAnswer(comments: { line: number; text: string }[], at: number): Pick<CurlStep, 'status' | 'headers' | 'body'> {
  const [first, ...rest] = comments;
  const status = first && STATUS_LINE.exec(first.text);
  if (!status) throw new TranscriptSyntaxError(`line ${at}: a curl must be followed by its answer, "# <status> [body]" (got ${first ? `"# ${first.text}"` : 'nothing'})`);
  let body = status[2];
  if (body !== undefined && !/^[[{]/.test(body)) {
    throw new TranscriptSyntaxError(`line ${first.line}: after the status comes a JSON body or nothing; put a remark after the command ("curl ... # remark")`);
  }
  const headers: ExpectedHeader[] = [];
  for (const comment of rest) {
    const header = HEADER_LINE.exec(comment.text);
    if (body === undefined && /^[[{]/.test(comment.text)) body = comment.text;
    else if (header && body === undefined) headers.push({ name: header[1]!, value: header[2]! });
    else throw new TranscriptSyntaxError(`line ${comment.line}: "# ${comment.text}" is no header ("Name: value") or body before which nothing else was shown`);
  }
  return { status: Number(status[1]), headers, body };
}

/**
 * The runnable blocks of a markdown file, in order; throws {@link TranscriptSyntaxError} for
 * a block that does not follow the conventions of the module comment.
 *
 * @example
 * parseTranscripts('```sh\ncurl http://127.0.0.1:5000/api/v1/status\n# 200 {"status":"OK"}\n```');
 * // [{ kind: 'shell', line: 2, lines: [...], curls: [{ line: 2, status: 200, body: '{"status":"OK"}', ... }] }]
 */
export function parseTranscripts(markdown: string): Block[] {
  const blocks: Block[] = [];
  for (const block of shellBlocks(markdown)) {
    const numbered = block.lines.map((text, i) => ({ line: block.line + i, text, command: withoutRemark(text) }));
    const commands = numbered.filter((entry) => entry.command !== '');
    if (commands.some((entry) => /^curl\b/.test(entry.command))) {
      blocks.push({ kind: 'shell', line: block.line, lines: block.lines, curls: readCurls(numbered) });
    } else if (commands.some((entry) => SERVER_LINE.test(entry.command))) {
      const starts: ServerStart[] = [];
      for (const entry of commands) {
        if (SKIPPED_LINE.test(entry.command)) continue;
        const match = SERVER_LINE.exec(entry.command);
        if (!match) throw new TranscriptSyntaxError(`line ${entry.line}: a block that starts a server holds only "npm run lesson:N" lines; got "${entry.command}"`);
        const env = Object.fromEntries(match[1]!.trim().split(/\s+/).filter(Boolean).map((pair) => pair.split(/=(.*)/s).slice(0, 2) as [string, string]));
        const port = Number(env.API_PORT ?? 5000);
        delete env.API_PORT;
        starts.push({ line: entry.line, lesson: Number(match[2]), env, port });
      }
      const prints = numbered.filter((entry) => /^#( |$)/.test(entry.text.trim())).map((entry) => ({ line: entry.line, text: entry.text.trim().replace(/^# ?/, '').trim() }));
      blocks.push({ kind: 'servers', line: block.line, starts, prints });
    }
  }
  return blocks;
}

function readCurls(numbered: { line: number; text: string; command: string }[]): CurlStep[] {
  const curls: CurlStep[] = [];
  for (let i = 0; i < numbered.length; i++) {
    if (!/^curl\b/.test(numbered[i]!.command) || /^#/.test(numbered[i]!.text.trim())) continue;
    const first = numbered[i]!;
    const parts = [first.command];
    while (/\\$/.test(numbered[i]!.text.trimEnd()) && i + 1 < numbered.length) parts.push(numbered[++i]!.command);
    const comments: { line: number; text: string }[] = [];
    while (i + 1 < numbered.length && /^# /.test(numbered[i + 1]!.text)) comments.push({ line: numbered[i + 1]!.line, text: numbered[++i]!.text.slice(2) });
    const command = parts.map((part) => part.replace(/\\$/, '').trim()).join(' ');
    const answer = readAnswer(comments, first.line);
    if (answer.headers.length && !/(^|\s)(-i|--include)(\s|$)/.test(command)) {
      throw new TranscriptSyntaxError(`line ${first.line}: the answer shows headers, which curl prints only with -i`);
    }
    curls.push({ line: first.line, command, ...answer });
  }
  return curls;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Whether `actual` is what `pattern` shows: the same text, where `"..."` stands for any JSON
 * string and `...` for anything.
 *
 * @example
 * matchesShown('{"id":"...","email":"bob@hbtn.io",...}', '{"id":"3c70","email":"bob@hbtn.io","first_name":"Bob"}'); // true
 */
export function matchesShown(pattern: string, actual: string): boolean {
  const source = pattern
    .split(/("\.\.\."|\.\.\.)/)
    .map((part) => (part === '"..."' ? '"(?:[^"\\\\]|\\\\.)*"' : part === '...' ? '.*?' : escapeRegExp(part)))
    .join('');
  return new RegExp(`^${source}$`, 's').test(actual);
}

/** A response as curl's `-D` file and body file recorded it. */
function readResponse(headFile: string, bodyFile: string): { status: number; headers: [string, string][]; body: string } {
  const head = readFileSync(headFile, 'utf8').trim().split(/\r?\n/);
  const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(head[0] ?? '')?.[1]);
  const headers = head.slice(1).map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()] as [string, string];
  });
  return { status, headers, body: readFileSync(bodyFile, 'utf8') };
}

/** What a curl step got that the transcript does not show, or null when all of it matches. */
function compare(step: CurlStep, response: ReturnType<typeof readResponse>, maxAge: (text: string) => string): string | null {
  const problems: string[] = [];
  if (response.status !== step.status) problems.push(`status ${response.status}, not ${step.status}`);
  for (const header of step.headers) {
    const values = response.headers.filter(([name]) => name.toLowerCase() === header.name.toLowerCase()).map(([, value]) => value);
    if (!values.some((value) => matchesShown(maxAge(header.value), value))) {
      problems.push(`${header.name}: ${values.length ? values.join(' | ') : '(none)'}, not ${header.value}`);
    }
  }
  if (step.body !== undefined && !matchesShown(step.body, response.body)) problems.push(`body ${response.body}, not ${step.body}`);
  return problems.length ? problems.join('; ') : null;
}

/** Runs `script` in bash in `cwd`; resolves with its exit code and output. */
function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

// Before the block's own lines: stop at the first failing command, and a curl that keeps each
// answer (headers, body) in files the test reads; -i is dropped, since -D records the headers.
const PRELUDE = `set -euo pipefail
trap '__status=$?; echo "stopped: \\\`$BASH_COMMAND\\\` failed (exit $__status)" >&2' ERR
curl() { local a; local args=(); for a in "$@"; do case $a in -i|--include) ;; *) args+=("$a");; esac; done; command curl -sS -D "$__out/$__n.head" -o "$__out/$__n.body" "\${args[@]}"; cat "$__out/$__n.body"; echo; }
npm() { (cd "$__root" && command npm "$@"); }
`;

/**
 * Runs the transcripts of one markdown file (a path from the project root, read unless its
 * text is given); resolves with one line per difference between what they show and what the
 * servers answered (none: all true).
 *
 * @example
 * await runTranscripts('lessons/03-session-login/README.md'); // []
 */
export async function runTranscripts(file: string, markdown = readFileSync(join(projectRoot, file), 'utf8')): Promise<string[]> {
  const blocks = parseTranscripts(markdown);
  const dir = makeTempDir();
  const dbPath = join(dir, 'sandbox.db');
  const work = join(dir, 'work');
  mkdirSync(work);
  const servers = new Map<number, LessonServer>();
  const sessionIds = new Map<string, string>();
  const failures: string[] = [];
  const scaleSeconds = (value: string) => String(Number(value) / timeDivisor);
  // Only a Max-Age that is a session lifetime the servers were started with runs faster.
  const lifetimes = new Set<string>();
  const maxAge = (text: string) =>
    text.replace(/\bMax-Age=(\d+)\b/g, (shown, n: string) => (lifetimes.has(n) ? `Max-Age=${Math.ceil(Number(n) / timeDivisor)}` : shown));
  const substitute = (text: string, line: number) => {
    let out = text.replace(/http:\/\/(?:127\.0\.0\.1|localhost):(\d+)/g, (url, port: string) => {
      const server = servers.get(Number(port));
      if (!server) throw new TranscriptSyntaxError(`line ${line}: ${url} is no server a block above started ("npm run lesson:N", API_PORT=${port})`);
      return server.url;
    });
    out = out.replaceAll('data/sandbox.db', dbPath).replace(/\bsleep (\d+(?:\.\d+)?)\b/g, (_, n: string) => `sleep ${scaleSeconds(n)}`);
    for (const [shown, printed] of sessionIds) out = out.replaceAll(shown, printed);
    return out;
  };

  try {
    for (const block of blocks) {
      if (block.kind === 'servers') {
        for (const start of block.starts) {
          await servers.get(start.port)?.stop();
          const env: Record<string, string> = { ...start.env, DEMO_USER: 'true' };
          for (const name of ['SESSION_DURATION', 'SESSION_IDLE_TIMEOUT']) {
            if (!env[name]) continue;
            lifetimes.add(env[name]!);
            env[name] = scaleSeconds(env[name]!);
          }
          servers.set(start.port, await LessonServer.start({ entry: lessonPaths(lesson(start.lesson)).server, env, dbPath }));
        }
        const server = servers.get(block.starts.at(-1)!.port)!;
        for (const print of block.prints) {
          // A 43-character session id in what the notes show stands for the one printed.
          const ids = [...print.text.matchAll(/\b[A-Za-z0-9_-]{43}\b/g)].map((match) => match[0]);
          let source = escapeRegExp(substitute(print.text, print.line)).replaceAll('\\.\\.\\.', '.*?');
          for (const id of ids) source = source.replace(escapeRegExp(id), '([A-Za-z0-9_-]{43})');
          try {
            const match = await server.waitForLine(new RegExp(`^\\s*${source}\\s*$`));
            ids.forEach((id, i) => sessionIds.set(id, match[i + 1]!));
          } catch {
            failures.push(`${file}:${print.line}: the server did not print "${print.text}"; it printed:\n${server.stdout().join('\n')}`);
          }
        }
        continue;
      }
      const out = join(dir, `answers-${block.line}`);
      mkdirSync(out);
      const curlAt = new Map(block.curls.map((step, i) => [step.line, i]));
      const lines = block.lines.map((text, i) => {
        const index = curlAt.get(block.line + i);
        const line = substitute(text, block.line + i);
        return index === undefined ? line : `__n=${index}; ${line}`;
      });
      const script = `${PRELUDE}__out=${JSON.stringify(out)}; __root=${JSON.stringify(projectRoot)}; __n=0\n${lines.join('\n')}\n`;
      writeFileSync(join(out, 'block.sh'), script);
      const { code, output } = await bash(script, work, { PATH: process.env.PATH, HOME: process.env.HOME, DB_PATH: dbPath });
      if (code !== 0) {
        failures.push(`${file}:${block.line}: the block did not run to its end:\n${output.trim()}`);
        continue;
      }
      block.curls.forEach((step, index) => {
        const problem = compare(step, readResponse(join(out, `${index}.head`), join(out, `${index}.body`)), maxAge);
        if (problem) failures.push(`${file}:${step.line}: ${step.command}\n  got ${problem}`);
      });
    }
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()));
    removeTempDir(dir);
  }
  return failures;
}
