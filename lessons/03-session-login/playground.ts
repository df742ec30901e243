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

/** The page's response headers: this page runs only its own script. */
function pageHeaders(res: Response): void {
  // Only our own script and style: an injected <script> would not run.
  res.set('Content-Security-Policy', "default-src 'self'; frame-ancestors 'none'");
  res.set('X-Content-Type-Options', 'nosniff');
}

/**
 * Serves the playground page and its two assets, before the auth guard (anyone may load it).
 *
 * @param options.frameworkRoutes show the buttons for lesson 6's `/login`, `/logout` and `/protected-resource`
 * @example
 * createApp(auth, config, { middleware: [playgroundRouter()] });
 */
export function playgroundRouter(options: { frameworkRoutes?: boolean } = {}): Router {
  const html = read('index.html').replace(
    'data-framework-routes="false"',
    `data-framework-routes="${options.frameworkRoutes === true}"`,
  );
  const css = read('playground.css');
  const js = read('playground.js');
  const router = Router();
  router.get('/', (_req, res) => {
    pageHeaders(res);
    res.type('html').send(html);
  });
  router.get('/playground.css', (_req, res) => {
    pageHeaders(res);
    res.type('css').send(css);
  });
  router.get('/playground.js', (_req, res) => {
    pageHeaders(res);
    res.type('js').send(js);
  });
  return router;
}
