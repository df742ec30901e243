import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { listen } from '../../shared/testing.ts';
import { maskSetCookie, playgroundHeaders, playgroundRouter } from './playground.ts';

/** What a later lesson may add to the page: one more button, its script and its style. */
const more = { html: '<button type="button" id="more">More</button>', script: 'console.log("more")', style: '#more { color: red }' };

describe('the playground page', () => {
  let plain: string;
  let withFramework: string;
  const closers: (() => void)[] = [];
  after(() => closers.forEach((close) => close()));

  before(async () => {
    for (const extension of [undefined, more]) {
      const app = express();
      app.use(playgroundRouter({ servedBy: { number: 4, title: 'Session expiry' }, extension }));
      // A route that sets a cookie, as a login does.
      app.post('/login', (_req, res) => {
        res.cookie('_my_session_id', 'AJhHgzunO7d5mu63mtnbFwiOL9Gso_kjrWSzWgs3pDQ', { httpOnly: true, sameSite: 'lax', maxAge: 10_000 });
        res.cookie('theme', 's:dark.sigsigsig');
        res.json({});
      });
      const server = await listen(app);
      closers.push(server.close);
      if (extension) withFramework = server.url;
      else plain = server.url;
    }
  });

  test('GET / is the page, with its own script and style only', async () => {
    const res = await fetch(`${plain}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(res.headers.get('content-security-policy'), "default-src 'self'; frame-ancestors 'none'");
    const html = await res.text();
    for (const id of ['login-form', 'whoami', 'logout', 'answer', 'status', 'headers', 'body', 'cookies']) assert.match(html, new RegExp(`id="${id}"`));
    // It says which lesson serves it: the app passes its own entry of the manifest.
    assert.match(html, /<p id="served-by" class="served-by">Served by lesson 4 — Session expiry\.<\/p>/);
    assert.match(html, /<title>Session playground · lesson 4 — Session expiry<\/title>/);
    // No external asset: every src and href stays on this server.
    for (const [, url] of html.matchAll(/(?:src|href)="([^"]+)"/g)) assert.match(url!, /^\//, url);
  });

  test('a later lesson can add buttons, a script and a style; lesson 3 itself adds none', async () => {
    const page = await (await fetch(`${plain}/`)).text();
    assert.doesNotMatch(page, /playground-extension/);
    assert.equal((await fetch(`${plain}/playground-extension.js`)).status, 404);
    const extended = await (await fetch(`${withFramework}/`)).text();
    assert.match(extended, /<button type="button" id="more">More<\/button>/);
    assert.match(extended, /<script src="\/playground-extension.js" defer><\/script>/);
    assert.equal(await (await fetch(`${withFramework}/playground-extension.js`)).text(), 'console.log("more")');
    const style = await fetch(`${withFramework}/playground-extension.css`);
    assert.equal(style.headers.get('content-security-policy'), "default-src 'self'; frame-ancestors 'none'");
    assert.equal(await style.text(), '#more { color: red }');
  });

  test('the script and the style are served with their types', async () => {
    const js = await fetch(`${plain}/playground.js`);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    assert.match(await js.text(), /document\.cookie/);
    const css = await fetch(`${plain}/playground.css`);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    assert.equal(css.headers.get('x-content-type-options'), 'nosniff');
  });

  test("the page's own requests get a copy of Set-Cookie with the id masked; other requests none", async () => {
    const asked = await fetch(`${plain}/login`, { method: 'POST', headers: { [playgroundHeaders.request]: 'set-cookie' } });
    const copy = JSON.parse(asked.headers.get(playgroundHeaders.response) ?? 'null') as string[];
    assert.equal(copy.length, 2);
    assert.match(copy[0]!, /^_my_session_id=\[id: 43 characters\]; Max-Age=10; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    assert.equal(copy[1], 'theme=s%3A[id: 4 characters].[signature: 9 characters]; Path=/');
    assert.ok(!copy.join().includes('AJhHgzun'), 'the id is not in the copy');
    assert.equal(asked.headers.getSetCookie().length, 2, 'the browser still gets the real cookies');

    const plainRequest = await fetch(`${plain}/login`, { method: 'POST' });
    assert.equal(plainRequest.headers.get(playgroundHeaders.response), null);
  });
});

test('maskSetCookie hides the value, keeps the attributes, and leaves a cleared cookie as it is', () => {
  assert.equal(maskSetCookie('sid=abc; Path=/; HttpOnly'), 'sid=[id: 3 characters]; Path=/; HttpOnly');
  assert.equal(maskSetCookie('sid=abc'), 'sid=[id: 3 characters]');
  assert.equal(maskSetCookie('sid=s%3Aabc.d%2Bf; Path=/'), 'sid=s%3A[id: 3 characters].[signature: 3 characters]; Path=/');
  assert.equal(maskSetCookie('sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT'), 'sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
});
