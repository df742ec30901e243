/**
 * The playground page at `GET /`: log in, ask "who am I", log out, and see what came back (the
 * status, `Set-Cookie` with the id masked, `Cache-Control`, the body) and what
 * `document.cookie` holds. Plain HTML, CSS and a little script, no external assets.
 *
 * @module
 */
import { Router, type RequestHandler, type Response } from 'express';
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';

const folder = new URL('./playground/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, folder), 'utf8');

/**
 * What a later lesson adds to the page: more buttons (an HTML fragment for the "Use the
 * session" card), the script that wires them (it may call the page's `send()`), and its style.
 */
export interface PlaygroundExtension {
  /** HTML inserted below the page's own buttons. */
  html: string;
  /** Served as `/playground-extension.js`, run after the page's own script. */
  script: string;
  /** Served as `/playground-extension.css`. */
  style: string;
}

/** What the page says about the lesson serving it: `Served by lesson 4 — Session expiry`. */
export interface ServedBy {
  /** The lesson's number. */
  number: number;
  /** Its title, as in the curriculum manifest. */
  title: string;
}

/** How the page is built: by which lesson, and with what a later lesson adds. */
export interface PlaygroundOptions {
  /** The lesson whose app serves the page (each app passes its own entry of the manifest). */
  servedBy: ServedBy;
  /** More buttons, from a later lesson. */
  extension?: PlaygroundExtension;
}

/**
 * The request header the page's own requests carry (`Playground-Show: set-cookie`), and the
 * response header that then holds a masked copy of the answer's `Set-Cookie` lines, as JSON.
 */
export const playgroundHeaders = { request: 'Playground-Show', response: 'Playground-Set-Cookie' } as const;

/**
 * A `Set-Cookie` line with its value replaced by its length, the attributes untouched; the
 * signed format of cookie-parser and express-session (`s:<id>.<signature>`, URL-encoded) keeps
 * its shape. A cleared cookie (an empty value) stays as it is.
 *
 * @example
 * maskSetCookie('_my_session_id=AJhHgzunO7d5mu63mtnbFwiOL9Gso_kjrWSzWgs3pDQ; Path=/; HttpOnly');
 * // '_my_session_id=[id: 43 characters]; Path=/; HttpOnly'
 */
export function maskSetCookie(line: string): string {
  const semicolon = line.indexOf(';');
  const end = semicolon === -1 ? line.length : semicolon;
  const equals = line.indexOf('=');
  if (equals === -1 || equals > end) return line;
  const value = line.slice(equals + 1, end);
  const length = (part: string) => {
    try {
      return decodeURIComponent(part).length;
    } catch {
      return part.length;
    }
  };
  const signed = /^s%3A(.*)\.([^.]*)$/i.exec(value);
  const masked =
    value === ''
      ? ''
      : signed
        ? `s%3A[id: ${length(signed[1]!)} characters].[signature: ${length(signed[2]!)} characters]`
        : `[id: ${length(value)} characters]`;
  return `${line.slice(0, equals + 1)}${masked}${line.slice(end)}`;
}

/**
 * For the page's own requests only: copies the answer's `Set-Cookie` lines, masked, into
 * `Playground-Set-Cookie`, just before the headers go out. A page script cannot read
 * `Set-Cookie` (browsers hide it from `fetch`), and must not learn the id either: so the page
 * shows what the browser got, and the `HttpOnly` point stands.
 */
const mirrorSetCookie: RequestHandler = (req, res, next) => {
  if (req.get(playgroundHeaders.request) !== 'set-cookie') return next();
  const writeHead = res.writeHead;
  // Express and express-session set their cookies before the head is written: read them here.
  res.writeHead = function (this: ServerResponse, ...args: Parameters<typeof writeHead>) {
    const cookies = this.getHeader('Set-Cookie');
    if (cookies !== undefined) {
      this.setHeader(playgroundHeaders.response, JSON.stringify([cookies].flat().map((line) => maskSetCookie(String(line)))));
    }
    return writeHead.apply(this, args);
  } as typeof writeHead;
  next();
};

/** The page's response headers: this page runs only its own script. */
function pageHeaders(res: Response): void {
  // Only our own script and style: an injected <script> would not run.
  res.set('Content-Security-Policy', "default-src 'self'; frame-ancestors 'none'");
  res.set('X-Content-Type-Options', 'nosniff');
}

/** Serves `body` at `path` with the page's headers. */
function asset(router: Router, path: string, type: string, body: string): void {
  router.get(path, (_req, res) => {
    pageHeaders(res);
    res.type(type).send(body);
  });
}

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);

/**
 * Serves the playground page and its assets, and mirrors a masked `Set-Cookie` for the page's
 * requests; mount it before the auth guard (anyone may load the page).
 *
 * @example
 * app.use(playgroundRouter({ servedBy: lesson(3) }));
 */
export function playgroundRouter({ servedBy, extension }: PlaygroundOptions): Router {
  let html = read('index.html').replaceAll('<!-- lesson -->', escapeHtml(`lesson ${servedBy.number} — ${servedBy.title}`));
  if (extension) {
    const head = '<link rel="stylesheet" href="/playground-extension.css">\n  <script src="/playground-extension.js" defer></script>';
    html = html.replace('<!-- lesson extension head -->', head).replace('<!-- lesson extension -->', extension.html.trim());
  }
  const router = Router();
  router.use(mirrorSetCookie);
  asset(router, '/', 'html', html);
  asset(router, '/playground.css', 'css', read('playground.css'));
  asset(router, '/playground.js', 'js', read('playground.js'));
  if (extension) {
    asset(router, '/playground-extension.css', 'css', extension.style);
    asset(router, '/playground-extension.js', 'js', extension.script);
  }
  return router;
}
