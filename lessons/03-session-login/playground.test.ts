import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { listen } from '../../shared/testing.ts';
import { playgroundRouter } from './playground.ts';

describe('the playground page', () => {
  let plain: string;
  let withFramework: string;
  const closers: (() => void)[] = [];
  after(() => closers.forEach((close) => close()));

  before(async () => {
    for (const options of [{}, { frameworkRoutes: true }]) {
      const app = express();
      app.use(playgroundRouter(options));
      const server = await listen(app);
      closers.push(server.close);
      if (options.frameworkRoutes) withFramework = server.url;
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

  test('the framework example is hidden unless asked for', async () => {
    assert.match(await (await fetch(`${plain}/`)).text(), /data-framework-routes="false"/);
    assert.match(await (await fetch(`${withFramework}/`)).text(), /data-framework-routes="true"/);
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
