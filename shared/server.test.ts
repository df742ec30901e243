import assert from 'node:assert/strict';
import express from 'express';
import net, { type AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { errorHandler, jsonBody, notFound, resource } from './http.ts';
import { createServer } from './server.ts';

// The requests below are ones fetch refuses to send: they go over a raw socket.
let port: number;
let close: () => void;
before(async () => {
  const app = express();
  const router = express.Router();
  resource(router, '/status', { get: (_req, res) => void res.json({ status: 'OK' }) });
  app.use(jsonBody);
  app.use('/api/v1', router);
  app.use(notFound, errorHandler);
  const server = createServer(app).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
  close = () => {
    server.close();
    server.closeAllConnections();
  };
});
after(() => close());

/** Sends raw bytes and resolves with everything the server sent until it closed. */
function rawExchange(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error(`no answer to ${JSON.stringify(request)}`)));
  });
}

/** The status and the JSON body of a raw answer (it must have a JSON Content-Type). */
function parse(answer: string): { status: number; body: unknown } {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  assert.match(head, /\r\ncontent-type: application\/json/i, `not a JSON answer: ${JSON.stringify(answer)}`);
  return { status: Number(head.split(' ')[1]), body: JSON.parse(body) };
}

test('an HTTP/1.1 request without Host gets a JSON 400 (Node would send an empty body)', async () => {
  assert.deepEqual(parse(await rawExchange('GET /api/v1/status HTTP/1.1\r\nConnection: close\r\n\r\n')), {
    status: 400,
    body: { error: 'Bad Request' },
  });
  // HTTP/1.0 has no Host requirement.
  assert.equal(parse(await rawExchange('GET /api/v1/status HTTP/1.0\r\n\r\n')).status, 200);
});

test('an Expect header other than 100-continue gets a JSON 417 (Node would send an empty body)', async () => {
  const answer = await rawExchange('GET /api/v1/status HTTP/1.1\r\nHost: x\r\nExpect: foo\r\nConnection: close\r\n\r\n');
  assert.deepEqual(parse(answer), { status: 417, body: { error: 'Expectation Failed' } });
});

test('CONNECT gets a JSON 400 (Node would close the connection without an answer)', async () => {
  const answer = await rawExchange('CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n');
  assert.deepEqual(parse(answer), { status: 400, body: { error: 'Bad Request' } });
});

test('a request target without a path gets a JSON 404 (Express would send an HTML page)', async () => {
  const answer = await rawExchange('GET http:// HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.deepEqual(parse(answer), { status: 404, body: { error: 'Not found' } });
});

test('requests Node cannot parse get a JSON 400, and headers over 16 kB a JSON 431', async () => {
  assert.equal(parse(await rawExchange('G E T / HTTP/1.1\r\nHost: x\r\n\r\n')).status, 400);
  assert.equal(parse(await rawExchange('GET / HTTP/1.1\r\nHost: x\r\nX-A\0: b\r\n\r\n')).status, 400);
  const big = `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`;
  assert.deepEqual(parse(await rawExchange(big)), { status: 431, body: { error: 'Request Header Fields Too Large' } });
});
