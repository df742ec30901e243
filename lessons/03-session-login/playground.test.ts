import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { listen } from '../../shared/testing.ts';
import { playgroundRouter } from './playground.ts';

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
      app.use(playgroundRouter(extension));
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
    for (const id of ['login-form', 'whoami', 'logout', 'answer', 'status', 'body', 'cookies']) assert.match(html, new RegExp(`id="${id}"`));
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
});
