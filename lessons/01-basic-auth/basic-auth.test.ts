import assert from 'node:assert/strict';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { openDatabase, useDatabase } from '../../shared/db.ts';
import { User } from '../../shared/models/user.ts';
import { BasicAuth } from './basic-auth.ts';
import { makeTempDir } from '../../shared/temp-dir.ts';

// The examples are the course's own (None is null here, 89 is "not a string").
const basicAuth = new BasicAuth();

// One user in a real SQLite file; hashing costs ~100 ms, so it is made once.
let bob: User;
before(async () => {
  useDatabase(openDatabase(join(makeTempDir('basic-auth-test-'), 'test.db')));
  bob = Object.assign(new User(), { email: 'bob@hbtn.io', firstName: 'Bob', lastName: 'Dylan' });
  await bob.setPassword('H0lbertonSchool98!');
  bob.save();
});

// --- extractBase64AuthorizationHeader ---

test('extractBase64AuthorizationHeader is null for anything but a "Basic " header', () => {
  for (const header of [null, undefined, 89, 'Holberton School', 'Basic1234', 'Bearer SG9sYmVydG9u']) {
    assert.equal(basicAuth.extractBase64AuthorizationHeader(header), null, String(header));
  }
});

test('extractBase64AuthorizationHeader returns what follows "Basic "', () => {
  assert.equal(basicAuth.extractBase64AuthorizationHeader('Basic Holberton'), 'Holberton');
  assert.equal(basicAuth.extractBase64AuthorizationHeader('Basic SG9sYmVydG9u'), 'SG9sYmVydG9u');
});

// --- decodeBase64AuthorizationHeader ---

test('decodeBase64AuthorizationHeader is null for anything but base64', () => {
  for (const value of [null, undefined, 89, 'Holberton', 'SG9sYmVydG9u!', 'SG9s=mVy']) {
    assert.equal(basicAuth.decodeBase64AuthorizationHeader(value), null, String(value));
  }
});

test('decodeBase64AuthorizationHeader decodes base64 to text', () => {
  assert.equal(basicAuth.decodeBase64AuthorizationHeader('SG9sYmVydG9u'), 'Holberton');
  assert.equal(basicAuth.decodeBase64AuthorizationHeader('SG9sYmVydG9uIFNjaG9vbA=='), 'Holberton School');
  const utf8 = Buffer.from('bób:pässwörd').toString('base64');
  assert.equal(basicAuth.decodeBase64AuthorizationHeader(utf8), 'bób:pässwörd');
});

test('decodeBase64AuthorizationHeader is null, not a throw, for bytes that are not UTF-8', () => {
  const invalidUtf8 = Buffer.from([0xff, 0xfe]).toString('base64'); // '//4='
  assert.equal(basicAuth.decodeBase64AuthorizationHeader(invalidUtf8), null);
  assert.equal(basicAuth.decodeBase64AuthorizationHeader('test'), null); // bytes b5 eb 2d
});

// --- extractUserCredentials ---

test('extractUserCredentials is [null, null] for a non-string or a text without a colon', () => {
  for (const value of [null, undefined, 89, 'Holberton School']) {
    assert.deepEqual(basicAuth.extractUserCredentials(value), [null, null], String(value));
  }
});

test('extractUserCredentials splits email and password on the first colon', () => {
  assert.deepEqual(basicAuth.extractUserCredentials('Holberton:School'), ['Holberton', 'School']);
  assert.deepEqual(basicAuth.extractUserCredentials('bob@gmail.com:toto1234'), ['bob@gmail.com', 'toto1234']);
  assert.deepEqual(basicAuth.extractUserCredentials('a:b:c'), ['a', 'b:c']);
  assert.deepEqual(basicAuth.extractUserCredentials('bob@hbtn.io:'), ['bob@hbtn.io', '']);
});

// --- userObjectFromCredentials ---

test('userObjectFromCredentials is null for an email or password that is not a string', async () => {
  assert.equal(await basicAuth.userObjectFromCredentials(null, null), null);
  assert.equal(await basicAuth.userObjectFromCredentials(89, 'H0lbertonSchool98!'), null);
  assert.equal(await basicAuth.userObjectFromCredentials('bob@hbtn.io', 89), null);
});

test('userObjectFromCredentials is null for an unknown email', async () => {
  assert.equal(await basicAuth.userObjectFromCredentials('u3@hbtn.io', 'H0lbertonSchool98!'), null);
});

test('userObjectFromCredentials is null for a wrong password', async () => {
  assert.equal(await basicAuth.userObjectFromCredentials('bob@hbtn.io', 'toto1234'), null);
});

test('userObjectFromCredentials returns the user for the right email and password', async () => {
  const user = await basicAuth.userObjectFromCredentials('bob@hbtn.io', 'H0lbertonSchool98!');
  assert.equal(user?.id, bob.id);
});

// --- currentUser, over a real request ---

test('currentUser finds the user named by the Authorization header of a request', async (t) => {
  const app = express();
  app.get('/me', async (req, res) => {
    res.json({ email: (await basicAuth.currentUser(req))?.email ?? null });
  });
  const server = app.listen(0, '127.0.0.1');
  t.after(() => server.close());
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/me`;

  const asBob = await fetch(url, { headers: { Authorization: 'Basic Ym9iQGhidG4uaW86SDBsYmVydG9uU2Nob29sOTgh' } });
  assert.deepEqual(await asBob.json(), { email: 'bob@hbtn.io' });
  const anonymous = await fetch(url);
  assert.deepEqual(await anonymous.json(), { email: null });
});

test('the challenge asks for Basic credentials in UTF-8', () => {
  assert.match(basicAuth.challenge(), /^Basic realm="[^"]+", charset="UTF-8"$/);
});
