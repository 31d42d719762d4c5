// A customer's callback server for the tests: a node http server on loopback that keeps every
// request it receives and answers each with the status `answer` picks (200 unless told), and the
// vendors' signature checks, each written from the vendor's own docs.
import http from 'node:http';
import crypto from 'node:crypto';
import { call, eventually } from './emulator.mjs';

/**
 * Starts a receiver on 127.0.0.1 (a free port). `answer(request)` returns the status for one
 * request (or a Promise of it; "hang" never answers).
 * @returns {Promise<{url: string, requests: object[], answer: Function, close: () => Promise<void>}>}
 */
export async function startReceiver({ answer = () => 200 } = {}) {
  const receiver = { requests: [], answer };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json;
      try { json = JSON.parse(body); } catch { json = undefined; }
      const request = { method: req.method, path: req.url, headers: req.headers, body, json, at: Date.now() };
      receiver.requests.push(request);
      const status = await receiver.answer(request);
      if (status === 'hang') return;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status >= 200 && status < 300 ? 'success' : 'failed');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${server.address().port}`;
  receiver.close = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  /** The JSON bodies that `predicate` accepts, once there are at least `count`. */
  receiver.wait = (predicate, count = 1) =>
    eventually(() => {
      const hits = receiver.requests.filter((r) => r.json && predicate(r.json, r)).map((r) => r.json);
      return hits.length >= count ? hits : undefined;
    });
  return receiver;
}

/**
 * ZEGO (callbacks/receiving-callback, "Verify signature"): sort callbacksecret, timestamp and nonce
 * in dictionary order, concatenate them, sha1, compare with Signature in lowercase hex.
 */
export function zegoSignatureValid(body, callbackSecret) {
  const parts = [callbackSecret, String(body.Timestamp), String(body.Nonce)].sort();
  const expected = crypto.createHash('sha1').update(parts.join('')).digest('hex');
  return expected === body.Signature;
}

/** GET /_emulator/callbacks with `filters`; the entries. */
export async function callbackJournal(url, filters = {}) {
  const query = new URLSearchParams(filters).toString();
  const r = await call(`${url}/_emulator/callbacks${query ? `?${query}` : ''}`);
  if (r.status !== 200) throw new Error(`callbacks: ${r.status} ${r.text}`);
  return r.json.callbacks;
}
