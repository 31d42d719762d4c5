// AgentCore's local execution over raw HTTP: a forwarded answer on the wire (chunked, kept
// alive, unframed for HTTP/1.0, and over TLS), the journal's record of it, invocationUrl in
// fixtures and state, and the runtime WebSocket path (over TLS too; refusing what is not an
// upgrade).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import WebSocket from 'ws';
import { call, eventually, startEmulator, stopCleanly } from '../support/emulator.mjs';
import { sign } from '../support/agentcore.mjs';

const ARN = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/local_agent-a1b2c3d4e5';
const PATH = `/runtimes/${encodeURIComponent(ARN)}/invocations`;
let emulator;
let agent;
let agentUrl;

before(async () => {
  agent = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ got: body }));
    });
  });
  await new Promise((resolve) => agent.listen(0, '127.0.0.1', resolve));
  agentUrl = `http://127.0.0.1:${agent.address().port}`;
  emulator = await startEmulator();
  const loaded = await call(`${emulator.url}/_emulator/state`, {
    method: 'POST', json: { agentcore: { runtimes: [{ arn: ARN, invocationUrl: agentUrl }] } },
  });
  assert.equal(loaded.status, 200, loaded.text);
});
after(async () => {
  await stopCleanly(emulator);
  agent.closeAllConnections();
  await new Promise((resolve) => agent.close(resolve));
});

/** Raw signed invocation text, for one socket carrying several. */
function invocation(body, { version = '1.1', extra = '' } = {}) {
  const host = new URL(emulator.url).host;
  const headers = sign({ method: 'POST', host, path: PATH, body, headers: { 'content-type': 'application/json' } });
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n');
  return `POST ${PATH} HTTP/${version}\r\n${lines}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
}

/** Sends `text`, collects until the socket is idle for `idleMs` or closes. */
function exchange(text, idleMs = 1500) {
  return new Promise((resolve) => {
    const socket = net.connect(emulator.port, '127.0.0.1');
    let data = '';
    let timer;
    const done = (closed) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ data, closed });
    };
    socket.on('connect', () => socket.write(text));
    socket.on('data', (c) => {
      data += c.toString('latin1');
      clearTimeout(timer);
      timer = setTimeout(() => done(false), idleMs);
    });
    socket.on('close', () => done(true));
  });
}

describe('a forwarded answer on the wire', () => {
  it('is chunked, and the connection carries the next request', async () => {
    const { data } = await exchange(invocation('{"n":1}') + invocation('{"n":2}'));
    const answers = data.split(/(?=HTTP\/1\.1 )/);
    assert.equal(answers.length, 2, data);
    for (const [i, answer] of answers.entries()) {
      assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(answer, /\r\nTransfer-Encoding: chunked\r\n/);
      assert.match(answer, /\r\nContent-Type: application\/json\r\n/);
      assert.match(answer, /\r\nX-Amzn-Bedrock-AgentCore-Runtime-Session-Id: [0-9a-f-]{36}\r\n/);
      assert.doesNotMatch(answer, /Content-Length/i);
      assert.ok(answer.includes(`{"got":"{\\"n\\":${i + 1}}"}`), answer);
      assert.ok(answer.endsWith('\r\n0\r\n\r\n'));
    }
  });

  it('goes unframed to an HTTP/1.0 client, which the connection then closes', async () => {
    const { data, closed } = await exchange(invocation('{"old":true}', { version: '1.0' }));
    assert.ok(closed);
    assert.match(data, /^HTTP\/1\.1 200 OK\r\n/);
    assert.doesNotMatch(data, /Transfer-Encoding/);
    assert.match(data, /\r\nConnection: close\r\n/);
    assert.ok(data.endsWith('\r\n\r\n{"got":"{\\"old\\":true}"}'), data);
  });

  it('is journaled with the request and the agent\'s status', async () => {
    const { json } = await call(`${emulator.url}/_emulator/requests?operation=InvokeAgentRuntime&limit=1`);
    const [entry] = json.requests;
    assert.equal(entry.vendor, 'agentcore');
    assert.equal(entry.status, 200);
    assert.equal(entry.body, '{"old":true}');
  });
});

describe('invocationUrl', () => {
  it('is in the state dump and checked like every fixture key', async () => {
    const state = await call(`${emulator.url}/_emulator/state?vendor=agentcore`);
    const runtime = state.json.agentcore.runtimes.find((r) => r.arn === ARN);
    assert.equal(runtime.invocationUrl, agentUrl);
    const bad = await call(`${emulator.url}/_emulator/state`, {
      method: 'POST', json: { agentcore: { runtimes: [{ arn: ARN, invocationUrl: 'ftp://nope' }] } },
    });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /\/agentcore\/runtimes\/0\/invocationUrl/);
  });
});

describe('the runtime WebSocket path', () => {
  it('answers a plain GET with ValidationException', async () => {
    const host = new URL(emulator.url).host;
    const path = `/runtimes/${encodeURIComponent(ARN)}/ws`;
    const headers = sign({ method: 'GET', host, path });
    const res = await call(`${emulator.url}${path}`, { headers });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-amzn-errortype'), 'ValidationException');
    assert.match(res.json.message, /is a WebSocket/);
  });
});

describe('over TLS', () => {
  it('a forwarded answer streams and the runtime WebSocket upgrades on an https port', async () => {
    const secure = await startEmulator({ args: ['--tls-self-signed'] });
    try {
      const cert = (await eventually(() => /self-signed TLS certificate: (\S+) /.exec(secure.stderr())))[1];
      const ca = fs.readFileSync(cert);
      const loaded = await call(`${secure.url}/_emulator/state`, {
        method: 'POST', json: { agentcore: { runtimes: [{ arn: ARN, invocationUrl: agentUrl }] } },
      });
      assert.equal(loaded.status, 200);
      const host = `localhost:${secure.port}`;
      const body = '{"over":"tls"}';
      const headers = sign({ method: 'POST', host, path: PATH, body, headers: { 'content-type': 'application/json' } });
      const answer = await new Promise((resolve, reject) => {
        const req = https.request({ host: '127.0.0.1', port: secure.port, path: PATH, method: 'POST', ca, servername: 'localhost',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
          let text = '';
          res.on('data', (c) => { text += c; });
          res.on('end', () => resolve({ status: res.statusCode, chunked: res.headers['transfer-encoding'], text }));
        });
        req.on('error', reject);
        req.end(body);
      });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.chunked, 'chunked');
      assert.equal(answer.text, '{"got":"{\\"over\\":\\"tls\\"}"}');

      const echoArn = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/echo_agent-a1b2c3d4e5';
      const wsPath = `/runtimes/${encodeURIComponent(echoArn)}/ws`;
      const ws = new WebSocket(`wss://localhost:${secure.port}${wsPath}`, { ca, headers: sign({ method: 'GET', host, path: wsPath }) });
      await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
      ws.send('secure echo');
      const [data] = await new Promise((resolve) => ws.once('message', (...args) => resolve(args)));
      assert.equal(data.toString(), 'secure echo');
      ws.close();
    } finally {
      await stopCleanly(secure);
    }
  });
});
