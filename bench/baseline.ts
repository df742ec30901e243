/**
 * The baseline: bare Express 5, one route that returns the first user's JSON and checks
 * nothing. Every lesson's throughput is divided by this one's, so the ratio is what
 * authentication costs on top of Express itself. Run as the lessons run (API_HOST, API_PORT, DB_PATH).
 *
 * @module
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../shared/config.ts';
import { User } from '../shared/models/user.ts';

const { apiHost, apiPort } = loadConfig();
// Read once at start: the same JSON a lesson's /users/me returns, without the lookup per request.
const user = User.all()[0]?.toJSON() ?? null;

const app = express();
// The lessons disable it too: the same response headers, the same bytes on the wire.
app.disable('x-powered-by');
app.get('/api/v1/users/me', (_req, res) => {
  res.json(user);
});
// The launcher (checks/server.ts) waits until this answers.
app.get('/api/v1/status', (_req, res) => {
  res.json({ status: 'OK' });
});

const server = app.listen(apiPort, apiHost, () => {
  const { port } = server.address() as AddressInfo;
  // The same first line as a lesson's banner, so the same launcher finds the URL.
  console.log(`Baseline — bare Express 5, no authentication: listening on http://${apiHost}:${port}`);
});
// exit(0), not death by signal: `node --cpu-prof` writes its profile only on a normal exit.
process.once('SIGTERM', () => process.exit(0));
