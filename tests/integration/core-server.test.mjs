// The serving core over loopback: keep-alive, pipelining, HTTP/1.1 edge cases, bad input,
// timeouts and shutdown. No vendor is needed: admin endpoints and 404s exercise the path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startEmulator, stopCleanly, call, rawExchange, slowdown } from '../support/emulator.mjs';

let emu;
before(async () => {
  emu = await startEmulator({ args: ['--max-body-bytes', '2048', '--max-header-bytes', '2048', '--request-timeout-ms', String(500 * slowdown)] });
});
after(async () => stopCleanly(emu));

const get = (path) => `GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`;

function statusLines(data) {
  return [...data.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
}

test('health answers JSON with version, vendors and uptime', async () => {
  const r = await call(`${emu.url}/_emulator/health`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/json');
  assert.equal(r.json.status, 'ok');
  assert.match(r.json.version, /^\d+\.\d+\.\d+$/);
  assert.ok(Array.isArray(r.json.vendors));
  assert.equal(typeof r.json.uptimeSeconds, 'number');
  assert.ok(r.headers.get('date'));
});

test('keep-alive: several requests share one connection', async () => {
  const r = await rawExchange(emu.port, get('/_emulator/health') + get('/_emulator/health'), { idleMs: 300 });
  assert.deepEqual(statusLines(r.data), [200, 200]);
  assert.equal(r.closed, false, 'the server keeps the connection open');
});

test('pipelining: responses come back in request order', async () => {
  const r = await rawExchange(emu.port, get('/_emulator/health') + get('/nothing-here') + get('/_emulator/nope'), { idleMs: 300 });
  assert.deepEqual(statusLines(r.data), [200, 404, 404]);
});

test('HTTP/1.0 without keep-alive is closed after the answer', async () => {
  const r = await rawExchange(emu.port, 'GET /_emulator/health HTTP/1.0\r\n\r\n');
  assert.match(r.data, /^HTTP\/1\.1 200 OK/);
  assert.match(r.data, /Connection: close/);
  assert.equal(r.closed, true);
});

test('Connection: close is honoured', async () => {
  const r = await rawExchange(emu.port, 'GET /_emulator/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(r.closed, true);
  assert.deepEqual(statusLines(r.data), [200]);
});

test('HEAD answers the headers without a body', async () => {
  const r = await rawExchange(emu.port, 'HEAD /_emulator/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  const [head, body] = r.data.split('\r\n\r\n');
  assert.match(head, /^HTTP\/1\.1 200 OK/);
  assert.match(head, /Content-Length: \d+/);
  assert.equal(body, '');
});

test('an unknown path is a JSON 404 naming what was not recognised', async () => {
  const r = await call(`${emu.url}/v1/unknown?x=1`, { method: 'POST', body: '{}' });
  assert.equal(r.status, 404);
  assert.equal(r.json.error, 'not_found');
  assert.match(r.json.message, /POST \/v1\/unknown/);
});

test('a malformed request line gets a JSON 400 and the connection closes', async () => {
  const r = await rawExchange(emu.port, 'THIS IS NOT HTTP\r\n\r\n');
  assert.match(r.data, /^HTTP\/1\.1 400 Bad Request/);
  assert.match(r.data, /"error":"bad_request"/);
  assert.equal(r.closed, true);
});

test('a bad header line gets a 400', async () => {
  const r = await rawExchange(emu.port, 'GET / HTTP/1.1\r\nHost x\r\n\r\n');
  assert.match(r.data, /^HTTP\/1\.1 400/);
});

test('bad chunking gets a 400 and the connection closes', async () => {
  const r = await rawExchange(emu.port,
    'POST /_emulator/state HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nhello\r\n0\r\n\r\n');
  assert.match(r.data, /^HTTP\/1\.1 400/);
  assert.match(r.data, /"error":"bad_request"/);
  assert.equal(r.closed, true);
});

test('conflicting Content-Length headers get a 400', async () => {
  const r = await rawExchange(emu.port, 'POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab');
  assert.match(r.data, /^HTTP\/1\.1 400/);
});

test('an oversized head gets a 431', async () => {
  const r = await rawExchange(emu.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`);
  assert.match(r.data, /^HTTP\/1\.1 431/);
  assert.match(r.data, /"error":"header_too_large"/);
  assert.equal(r.closed, true);
});

test('an oversized body gets a 413 (declared length and chunked)', async () => {
  const declared = await rawExchange(emu.port, `POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n${'a'.repeat(100)}`);
  assert.match(declared.data, /^HTTP\/1\.1 413/);
  assert.match(declared.data, /"error":"body_too_large"/);
  const chunk = 'a'.repeat(1500);
  const chunked = await rawExchange(emu.port,
    `POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`);
  assert.match(chunked.data, /^HTTP\/1\.1 413/);
});

test('Expect: 100-continue gets an interim 100 before the body is read', async () => {
  const answer = await new Promise((resolve) => {
    const socket = net.connect(emu.port, '127.0.0.1');
    let data = '';
    socket.on('connect', () => socket.write(
      'PUT /_emulator/clock HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 19\r\nExpect: 100-continue\r\n\r\n'));
    socket.on('data', (chunk) => {
      data += chunk;
      if (data === 'HTTP/1.1 100 Continue\r\n\r\n') socket.write('{"offsetSeconds":0}');
      if (/\r\n\r\n\{.*\}$/s.test(data.slice(25))) { socket.destroy(); resolve(data); }
    });
  });
  assert.match(answer, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK/);
});

test('a body that stalls past the request timeout gets a 408', async () => {
  const r = await rawExchange(emu.port, 'POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc', { idleMs: 3000 * slowdown });
  assert.match(r.data, /^HTTP\/1\.1 408/);
  assert.equal(r.closed, true);
});

test('unknown admin paths are 404 and wrong methods 405 with Allow', async () => {
  const missing = await call(`${emu.url}/_emulator/nope`);
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error, 'not_found');
  const wrong = await call(`${emu.url}/_emulator/health`, { method: 'DELETE' });
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get('allow'), 'GET');
  assert.equal(wrong.json.error, 'method_not_allowed');
});

test('non-JSON admin bodies get a 400 naming the position', async () => {
  for (const path of ['/_emulator/clock', '/_emulator/state']) {
    const r = await call(`${emu.url}${path}`, { method: path.endsWith('clock') ? 'PUT' : 'POST', body: '{"offsetSeconds": }' });
    assert.equal(r.status, 400, path);
    assert.equal(r.json.error, 'invalid_json');
    assert.match(r.json.message, /line 1 column/);
  }
});

test('an error after a HEAD request still carries its body', async () => {
  const r = await rawExchange(emu.port, 'HEAD /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\nNOT HTTP\r\n\r\n');
  const answers = r.data.split(/(?=HTTP\/1\.1 )/);
  assert.equal(answers.length, 2);
  assert.match(answers[1], /^HTTP\/1\.1 400/);
  const [head, body] = answers[1].split('\r\n\r\n');
  assert.equal(Buffer.byteLength(body), Number(/Content-Length: (\d+)/.exec(head)[1]));
  assert.match(body, /"error":"bad_request"/);
});

test('an HTTP/1.0 client asking Expect: 100-continue gets no interim 100', async () => {
  const r = await rawExchange(emu.port,
    'PUT /_emulator/clock HTTP/1.0\r\nContent-Length: 19\r\nExpect: 100-continue\r\n\r\n{"offsetSeconds":0}');
  assert.match(r.data, /^HTTP\/1\.1 200 OK/);
});

test('a refused oversized body still reaches a Node client as 413, not a reset', async () => {
  const r = await call(`${emu.url}/_emulator/state`, { method: 'POST', body: 'x'.repeat(24 * 1024 * 1024) });
  assert.equal(r.status, 413);
  assert.equal(r.json.error, 'body_too_large');
});

test('the server is still healthy after all of the above', async () => {
  const r = await call(`${emu.url}/_emulator/health`);
  assert.equal(r.status, 200);
});

test('an idle connection is closed after the idle timeout', async () => {
  const quick = await startEmulator({ args: ['--idle-timeout-ms', '200'] });
  try {
    const started = Date.now();
    const r = await rawExchange(quick.port, '', { idleMs: 5000 * slowdown });
    assert.equal(r.closed, true);
    assert.equal(r.data, '', 'nothing is written to a connection that never sent a request');
    assert.ok(Date.now() - started < 4000 * slowdown);
  } finally {
    await stopCleanly(quick);
  }
});

test('uncommon statuses carry their registered reason phrase (from Beast), unknown ones an empty one', async () => {
  const rules = { rules: [{ match: { path: '/agents' }, respond: { status: 451 } },
    { match: { path: '/agents/*' }, respond: { status: 598 } }] };
  await call(`${emu.url}/_emulator/scenarios/phrases`, { method: 'PUT', json: rules });
  try {
    const legal = await rawExchange(emu.port, 'GET /agents HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(legal.data, /^HTTP\/1\.1 451 Unavailable For Legal Reasons\r\n/);
    const unknown = await rawExchange(emu.port, 'GET /agents/550e8400-e29b-41d4-a716-446655440000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(unknown.data, /^HTTP\/1\.1 598 \r\n/);
    const common = await rawExchange(emu.port, 'GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(common.data, /^HTTP\/1\.1 404 Not Found\r\n/);
  } finally {
    await call(`${emu.url}/_emulator/scenarios/phrases`, { method: 'DELETE' });
  }
});
