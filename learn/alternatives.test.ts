/**
 * The step tests grade behaviour, not the reference's wording: implementations written by
 * hand, different from the reference, pass their steps and their lessons' claims over HTTP;
 * subtly wrong ones fail, and the failure points at the right step with a message that says
 * what is wrong.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runChecks } from '../checks/runner.ts';
import { allSteps, findStep } from '../lessons/curriculum.ts';
import { workspaceServer } from './claims.ts';
import { findMarkers, replaceBodies } from './markers.ts';
import { runSteps } from './run-steps.ts';
import { writeWorkspace } from './workspace.ts';

const scratch = mkdtempSync(join(tmpdir(), 'learn-alternatives-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the reference whose steps `bodies` names have these bodies instead. */
function workspaceWith(name: string, bodies: Record<string, string>): string {
  const dir = join(scratch, name);
  writeWorkspace(dir, {
    stubbed: () => false,
    edit: (file, source) => replaceBodies(source, findMarkers(source, file), (marker) => bodies[marker.step] ?? null),
  });
  return dir;
}

/** Correct, and written otherwise than the reference. */
const correct: Record<string, string> = {
  // A loop, and the slash added by a helper of its own.
  '1.1': `{
    if (!path || !excludedPaths?.length) return true;
    const slashed = (p: string) => (p.endsWith('/') ? p : \`\${p}/\`);
    for (const excluded of excludedPaths) {
      const matches = excluded.endsWith('*') ? slashed(path).startsWith(excluded.slice(0, -1)) : slashed(path) === slashed(excluded);
      if (matches) return false;
    }
    return true;
  }`,
  // split and join instead of indexOf.
  '1.4': `{
    if (typeof decoded !== 'string' || !decoded.includes(':')) return [null, null];
    const [email, ...rest] = decoded.split(':');
    return [email!, rest.join(':')];
  }`,
  // Web Crypto instead of node:crypto.
  '2.1': `{
    return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
  }`,
  '2.2': `{
    if (typeof userId === 'string') {
      const id = newSessionId();
      this.sessions.set(id, { userId: userId });
      return id;
    }
    return null;
  }`,
  '2.3': `{
    const record = typeof sessionId === 'string' ? this.sessions.get(sessionId) : undefined;
    return record ? record.userId : null;
  }`,
  // The earliest end, instead of two conditions.
  '4.1': `{
    const ends = [
      limits.durationMs > 0 ? session.createdAt + limits.durationMs : Infinity,
      limits.idleMs > 0 ? session.lastUsedAt + limits.idleMs : Infinity,
    ];
    return now >= Math.min(...ends);
  }`,
};

/** Subtly wrong, with what the learner must read when it fails. */
const wrong: Record<string, { body: string; message: RegExp }> = {
  // Exact comparison: the trailing slash now matters.
  '1.1': {
    body: `{
    if (!path || !excludedPaths || excludedPaths.length === 0) return true;
    return !excludedPaths.includes(path);
  }`,
    message: /^requireAuth\("\/api\/v1\/status", \["\/api\/v1\/status\/"\]\)$/,
  },
  // The last colon: a password with a colon loses its start.
  '1.4': {
    body: `{
    if (typeof decoded !== 'string') return [null, null];
    const colon = decoded.lastIndexOf(':');
    if (colon === -1) return [null, null];
    return [decoded.slice(0, colon), decoded.slice(colon + 1)];
  }`,
    message: /^extractUserCredentials\("bob@hbtn\.io:a:b:c"\)$/,
  },
  // A uuid4: 122 random bits, 36 characters.
  '2.1': { body: `{\n    return crypto.randomUUID();\n  }`, message: /43 characters/ },
  // Any user id, as text.
  '2.2': {
    body: `{
    const sessionId = newSessionId();
    this.sessions.set(sessionId, { userId: String(userId) });
    return sessionId;
  }`,
    message: /^createSession\(null\)$/,
  },
  // The wrong status for a wrong password.
  '3.1': {
    body: `{
    const email = field(req, 'email');
    if (!email) return { status: 400, error: 'email missing' };
    const password = field(req, 'password');
    if (!password) return { status: 400, error: 'password missing' };
    const [user] = User.search({ email });
    if (!user) return { status: 404, error: 'no user found for this email' };
    if (!(await user.isValidPassword(password))) return { status: 400, error: 'wrong password' };
    return user;
  }`,
    message: /^checkLogin: a login with a wrong password$/,
  },
  // > instead of >=: alive for one more millisecond at the very end.
  '4.1': {
    body: `{
    if (limits.durationMs > 0 && now > session.createdAt + limits.durationMs) return true;
    if (limits.idleMs > 0 && now > session.lastUsedAt + limits.idleMs) return true;
    return false;
  }`,
    message: /at the very end of a 60 s lifetime/,
  },
  // A write on every use: correct, but every GET waits for the write lock.
  '5.3': {
    body: `{
    if (this.limits.idleMs === 0) return true;
    return session.markUsed(new Date(now));
  }`,
    message: /writes nothing/,
  },
  // No regenerate: the id the request came with becomes a logged-in id (session fixation).
  '6.2': {
    body: `{
    req.session.userId = user.id;
    req.session.loginAt = now();
    await saveSession(req);
  }`,
    message: /new id/,
  },
};

test('correct implementations written otherwise than the reference pass their steps, and their lessons\' claims over HTTP', async () => {
  const dir = workspaceWith('correct', correct);
  const failing = (await runSteps(dir, allSteps().map(({ step }) => step.id))).filter((result) => !result.ok);
  assert.deepEqual(failing, []);
  const runs = await Promise.all([1, 2, 4].map((lesson) => runChecks({ lessons: [lesson], server: { lesson, entry: workspaceServer(dir, lesson) }, browser: false })));
  const notPassing = runs.flatMap((run) => run.lessons.flatMap((lesson) => lesson.results)).filter((result) => result.status !== 'pass');
  assert.deepEqual(notPassing.map((result) => `${result.id}: ${result.message}`), []);
});

for (const [id, { body, message }] of Object.entries(wrong)) {
  const { lesson, step } = findStep(id);
  // The watch mode shows the first step that fails: it must be this one (a later step that
  // calls it may fail too), with the message that says what is wrong.
  test(`a subtly wrong ${step.name} is the first failing step of lesson ${lesson.number}, saying what is wrong`, async () => {
    const dir = workspaceWith(`wrong-${id}`, { [id]: body });
    const results = await runSteps(dir, lesson.steps!.map((one) => one.id));
    const first = results.find((result) => !result.ok);
    assert.equal(first?.id, id, JSON.stringify(results, null, 2));
    assert.match(first.failure!.message, message);
    assert.ok(!first.failure!.notWritten);
  });
}
