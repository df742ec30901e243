import assert from 'node:assert/strict';
import type { Request } from 'express';
import { test } from 'node:test';
import { isCrossOriginRequest } from './csrf.ts';

/** Just what isCrossOriginRequest reads of a request. */
function request(method: string, headers: Record<string, string>, host = '127.0.0.1:5000'): Request {
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return { method, host, get: (name: string) => lower[name.toLowerCase()] } as unknown as Request;
}

test('Fetch Metadata first: only same-origin and none pass', () => {
  assert.equal(isCrossOriginRequest(request('POST', { 'Sec-Fetch-Site': 'same-origin' })), false);
  assert.equal(isCrossOriginRequest(request('POST', { 'Sec-Fetch-Site': 'none' })), false);
  assert.equal(isCrossOriginRequest(request('POST', { 'Sec-Fetch-Site': 'same-site' })), true);
  assert.equal(isCrossOriginRequest(request('DELETE', { 'Sec-Fetch-Site': 'cross-site', Origin: 'http://127.0.0.1:5000' })), true);
});

test('then Origin, which must be this host and port', () => {
  assert.equal(isCrossOriginRequest(request('PUT', { Origin: 'http://127.0.0.1:5000' })), false);
  assert.equal(isCrossOriginRequest(request('PUT', { Origin: 'http://127.0.0.1:5001' })), true);
  assert.equal(isCrossOriginRequest(request('PUT', { Origin: 'null' })), true);
  assert.equal(isCrossOriginRequest(request('PUT', { Origin: 'not a url' })), true);
});

test('neither header (curl) and safe methods pass', () => {
  assert.equal(isCrossOriginRequest(request('POST', {})), false);
  for (const method of ['GET', 'HEAD', 'OPTIONS']) assert.equal(isCrossOriginRequest(request(method, { 'Sec-Fetch-Site': 'cross-site' })), false);
});
