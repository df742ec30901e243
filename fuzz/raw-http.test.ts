import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseResponse, serialize, withDefaults } from './raw-http.ts';

const answer = (text: string) => Buffer.from(text, 'latin1');

test('serialize sends the request exactly as given: odd methods, duplicate headers, raw bytes', () => {
  const bytes = serialize({
    method: 'G E T',
    target: Buffer.from([0x2f, 0xff]),
    headers: [['Cookie', 'a=1'], ['Cookie', Buffer.from([0x61, 0x00])]],
    body: Buffer.from('x'),
  });
  assert.deepEqual(bytes, Buffer.concat([Buffer.from('G E T /'), Buffer.from([0xff]), Buffer.from(' HTTP/1.1\r\nCookie: a=1\r\nCookie: a'), Buffer.from([0]), Buffer.from('\r\n\r\nx')]));
});

test('withDefaults adds Host, Content-Length and Connection: close unless present or omitted', () => {
  const request = withDefaults({ method: 'POST', target: '/', headers: [['connection', 'keep-alive']], body: Buffer.from('ab') }, 'h:1', ['host']);
  assert.deepEqual(request.headers, [['connection', 'keep-alive'], ['Content-Length', '2']]);
});

test('parseResponse: Content-Length, chunked, HEAD, 100 Continue, until close, and incomplete answers', () => {
  assert.deepEqual(parseResponse(answer('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab'), 'GET', false), {
    status: 200,
    headers: [['content-length', '2']],
    body: Buffer.from('ab'),
  });
  assert.equal(parseResponse(answer('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab'), 'GET', false), null);
  assert.match(String(parseResponse(answer('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab'), 'GET', true)), /ended after 2 of 5/);
  const chunked = parseResponse(answer('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n'), 'GET', false);
  assert.equal((chunked as { body: Buffer }).body.toString(), 'abc');
  assert.equal(parseResponse(answer('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n'), 'GET', false), null);
  assert.equal((parseResponse(answer('HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\n'), 'HEAD', false) as { status: number }).status, 404);
  const afterContinue = parseResponse(answer('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n'), 'POST', false);
  assert.equal((afterContinue as { status: number }).status, 201);
  assert.equal((parseResponse(answer('HTTP/1.1 200 OK\r\n\r\nrest'), 'GET', true) as { body: Buffer }).body.toString(), 'rest');
  assert.equal(parseResponse(Buffer.alloc(0), 'GET', true), 'no answer');
  assert.match(String(parseResponse(answer('junk\r\n\r\n'), 'GET', true)), /not an HTTP status line/);
});
