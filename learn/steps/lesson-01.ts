/**
 * Lesson 1's steps: `Auth.requireAuth` and the `BasicAuth` chain, with the examples of the
 * course's `main_N.py` files.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { fakeRequest, quickUser, type StepContext, type StepTest } from './helpers.ts';

type AuthModule = typeof import('../../lessons/01-basic-auth/auth.ts');
type BasicAuthModule = typeof import('../../lessons/01-basic-auth/basic-auth.ts');

async function basicAuth(ctx: StepContext) {
  const { BasicAuth } = await ctx.load<BasicAuthModule>('01-basic-auth/basic-auth.ts');
  return new BasicAuth();
}

export const requireAuth: StepTest = async (ctx) => {
  const { Auth } = await ctx.load<AuthModule>('01-basic-auth/auth.ts');
  const auth = new Auth();
  const excluded = ['/api/v1/status/'];
  const cases: [string | null, string[] | null, boolean][] = [
    [null, excluded, true],
    ['/api/v1/status', null, true],
    ['/api/v1/status', [], true],
    ['/api/v1/status/', excluded, false],
    ['/api/v1/status', excluded, false],
    ['/api/v1/users', excluded, true],
    ['/api/v1/status', ['/api/v1/status'], false],
    ['/api/v1/statusx', excluded, true],
    ['/api/v1/users/me', ['/api/v1/users/'], true],
    ['/api/v1/stats', ['/api/v1/stat*'], false],
    ['/api/v1/status', ['/api/v1/stat*'], false],
    ['/api/v1/users', ['/api/v1/stat*'], true],
    ['/api/v1/users', ['/api/v1/stat*', '/api/v1/users/'], false],
  ];
  for (const [path, paths, expected] of cases) {
    assert.equal(auth.requireAuth(path, paths), expected, `requireAuth(${JSON.stringify(path)}, ${JSON.stringify(paths)})`);
  }
};

export const extractBase64AuthorizationHeader: StepTest = async (ctx) => {
  const auth = await basicAuth(ctx);
  const cases: [unknown, string | null][] = [
    [null, null],
    [89, null],
    ['Holberton School', null],
    ['Basic Holberton', 'Holberton'],
    ['Basic SG9sYmVydG9u', 'SG9sYmVydG9u'],
    ['Basic SG9sYmVydG9uIFNjaG9vbA==', 'SG9sYmVydG9uIFNjaG9vbA=='],
    ['Basic1234', null],
    ['Bearer SG9sYmVydG9u', null],
  ];
  for (const [header, expected] of cases) {
    assert.equal(auth.extractBase64AuthorizationHeader(header), expected, `extractBase64AuthorizationHeader(${JSON.stringify(header)})`);
  }
};

export const decodeBase64AuthorizationHeader: StepTest = async (ctx) => {
  const auth = await basicAuth(ctx);
  const cases: [unknown, string | null, string][] = [
    [null, null, 'not a string'],
    [89, null, 'not a string'],
    ['Holberton', null, 'not valid base64'],
    ['SG9sYmVydG9u', 'Holberton', ''],
    ['SG9sYmVydG9uIFNjaG9vbA==', 'Holberton School', ''],
    ['SG9sYmVydG9uIFNjaG9vbA', null, 'padding missing: not strict base64'],
    ['SG9s YmVy', null, 'a space inside: not strict base64'],
    ['Ym9iQGhidG4uaW86SDBsYmVydG9uU2Nob29sOTgh', 'bob@hbtn.io:H0lbertonSchool98!', ''],
    ['w6lsw6g6bcO2dA==', 'élè:möt', 'UTF-8 text'],
    ['test', null, 'valid base64, but its bytes are not UTF-8 text'],
    ['//4=', null, 'bytes that are not UTF-8 text'],
  ];
  for (const [value, expected, why] of cases) {
    assert.equal(auth.decodeBase64AuthorizationHeader(value), expected, `decodeBase64AuthorizationHeader(${JSON.stringify(value)})${why ? ` (${why})` : ''}`);
  }
};

export const extractUserCredentials: StepTest = async (ctx) => {
  const auth = await basicAuth(ctx);
  const cases: [unknown, [string | null, string | null]][] = [
    [null, [null, null]],
    [89, [null, null]],
    ['Holberton School', [null, null]],
    ['Holberton:School', ['Holberton', 'School']],
    ['bob@gmail.com:toto1234', ['bob@gmail.com', 'toto1234']],
    ['bob@hbtn.io:a:b:c', ['bob@hbtn.io', 'a:b:c']],
    ['bob@hbtn.io:', ['bob@hbtn.io', '']],
  ];
  for (const [decoded, expected] of cases) {
    assert.deepEqual(auth.extractUserCredentials(decoded), expected, `extractUserCredentials(${JSON.stringify(decoded)})`);
  }
};

export const userObjectFromCredentials: StepTest = async (ctx) => {
  const auth = await basicAuth(ctx);
  const bob = quickUser('bob@hbtn.io', 'H0lbertonSchool98!');
  assert.equal(await auth.userObjectFromCredentials(null, 'H0lbertonSchool98!'), null, 'userObjectFromCredentials(null, password)');
  assert.equal(await auth.userObjectFromCredentials('bob@hbtn.io', 89), null, 'userObjectFromCredentials(email, 89)');
  assert.equal(await auth.userObjectFromCredentials('nobody@hbtn.io', 'H0lbertonSchool98!'), null, 'userObjectFromCredentials of an unknown email');
  assert.equal(await auth.userObjectFromCredentials('bob@hbtn.io', 'wrong password'), null, 'userObjectFromCredentials with a wrong password');
  const found = await auth.userObjectFromCredentials('bob@hbtn.io', 'H0lbertonSchool98!');
  assert.equal(found?.id, bob.id, 'userObjectFromCredentials with the right email and password is that user');
  const anyCase = await auth.userObjectFromCredentials('BOB@hbtn.io', 'H0lbertonSchool98!');
  assert.equal(anyCase?.id, bob.id, 'the email is found whatever its case (User.search does it)');
};

export const currentUser: StepTest = async (ctx) => {
  const auth = await basicAuth(ctx);
  const bob = quickUser('bob@hbtn.io', 'H0l:berton');
  const request = (authorization?: string) => fakeRequest({ headers: authorization ? { authorization } : {} });
  const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
  assert.equal(await auth.currentUser(request()), null, 'currentUser of a request without an Authorization header');
  assert.equal(await auth.currentUser(request('Basic test')), null, 'currentUser with "Authorization: Basic test"');
  assert.equal(await auth.currentUser(request(basic('bob@hbtn.io:wrong'))), null, 'currentUser with a wrong password');
  const found = await auth.currentUser(request(basic('bob@hbtn.io:H0l:berton')));
  assert.equal(found?.id, bob.id, 'currentUser with Bob\'s email and password (which has a colon) is Bob');
};
