/**
 * The playground page at `GET /`: log in, ask "who am I", log out, and see what
 * `document.cookie` holds. Plain HTML, CSS and a little script, no external assets.
 *
 * @module
 */
import { Router, type Response } from 'express';
import { readFileSync } from 'node:fs';

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

/**
 * Serves the playground page and its assets, before the auth guard (anyone may load it).
 *
 * @example
 * app.use(playgroundRouter());
 */
export function playgroundRouter(extension?: PlaygroundExtension): Router {
  let html = read('index.html');
  if (extension) {
    const head = '<link rel="stylesheet" href="/playground-extension.css">\n  <script src="/playground-extension.js" defer></script>';
    html = html.replace('<!-- lesson extension head -->', head).replace('<!-- lesson extension -->', extension.html.trim());
  }
  const router = Router();
  asset(router, '/', 'html', html);
  asset(router, '/playground.css', 'css', read('playground.css'));
  asset(router, '/playground.js', 'js', read('playground.js'));
  if (extension) {
    asset(router, '/playground-extension.css', 'css', extension.style);
    asset(router, '/playground-extension.js', 'js', extension.script);
  }
  return router;
}
