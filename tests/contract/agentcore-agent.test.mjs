// InvokeAgentRuntime forwarded to the developer's own agent, running locally: a node http agent
// written here (/ping, /invocations with JSON and with SSE, /ws) and one built with the
// `bedrock-agentcore` package's BedrockAgentCoreApp, invoked through @aws-sdk/client-bedrock-agentcore
// and the package's RuntimeClient (WebSocket). The payload and headers reach the agent, events
// arrive one by one, failures become RuntimeClientError, /ping keeps sessions alive.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { InvokeAgentRuntimeCommand, StopRuntimeSessionCommand } from '@aws-sdk/client-bedrock-agentcore';
import { BedrockAgentCoreApp, RuntimeClient } from 'bedrock-agentcore/runtime';
import WebSocket, { WebSocketServer } from 'ws';
import { call, eventually, slowdown, sourceDir, startEmulator, stopCleanly } from '../support/emulator.mjs';
import { RUNTIME_ARN, TEST_CREDENTIALS, client, rejection, runtimeSessionId } from '../support/agentcore.mjs';

const ACCOUNT = '123456789012';
const arn = (name) => `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:runtime/${name}-a1b2c3d4e5`;
const LOCAL = arn('local_agent');
const DEAD = arn('dead_agent');
const FAILING = arn('failing_agent');
const IDLE = arn('idle_agent');
const SDK_APP = arn('sdk_app');

/** A free loopback port (nothing listens on it once this resolves). */
function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The agent of these tests, on node's own http: it records what reaches it. */
function startAgent() {
  const agent = { requests: [], ping: 'Healthy', release: null, wsHeaders: null, wsClosed: null };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', async () => {
      if (req.method === 'GET' && req.url === '/ping') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: agent.ping, time_of_last_update: Math.floor(Date.now() / 1000) }));
        return;
      }
      if (req.method !== 'POST' || req.url !== '/invocations') {
        res.writeHead(404).end();
        return;
      }
      agent.requests.push({ headers: req.headers, body });
      const payload = JSON.parse(body || '{}');
      if (payload.answer === 'status') {
        res.writeHead(payload.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'the agent says no' }));
      } else if (payload.answer === 'silence') {
        // never answers
      } else if ((req.headers.accept ?? '').includes('text/event-stream')) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write(`data: ${JSON.stringify({ n: 1 })}\n\n`);
        // The next event waits for the test to see the first: nothing may be buffered on the way.
        await new Promise((resolve) => { agent.release = resolve; });
        res.write(`data: ${JSON.stringify({ n: 2 })}\n\n`);
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'from-agent' });
        res.end(JSON.stringify({ echo: payload, session: req.headers['x-amzn-bedrock-agentcore-runtime-session-id'] }));
      }
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (req.url !== '/ws') return socket.destroy();
    agent.wsHeaders = req.headers;
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data, isBinary) => ws.send(isBinary ? data : `agent:${data}`, { binary: isBinary }));
      ws.on('close', (code) => { agent.wsClosed = code; });
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      agent.url = `http://127.0.0.1:${server.address().port}`;
      agent.close = () => new Promise((done) => { wss.close(); server.closeAllConnections(); server.close(done); });
      resolve(agent);
    });
  });
}

let agent;
let failing;
let sdkApp;
let emulator;
let sdk;
let fixtureDir;

before(async () => {
  agent = await startAgent();
  failing = await startAgent();
  const deadPort = await freePort();
  const appPort = await freePort();
  sdkApp = {};
  // A generator streams (SSE when the caller accepts it); a plain value is answered as JSON.
  const app = new BedrockAgentCoreApp({
    invocationHandler: {
      process: (request, context) => (request.stream
        ? (async function* stream() { yield { word: 'one', session: context.sessionId }; yield { word: 'two' }; }())
        : { reply: `hello ${request.prompt}`, session: context.sessionId }),
    },
    config: { logging: { enabled: false } },
  });
  sdkApp.app = app;
  app.run({ port: appPort, host: '127.0.0.1' });
  await eventually(async () => {
    try {
      return (await fetch(`http://127.0.0.1:${appPort}/ping`)).ok;
    } catch {
      return false;
    }
  });

  fixtureDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentemu-agent-'));
  const fixture = path.join(fixtureDir, 'agents.json');
  fs.writeFileSync(fixture, JSON.stringify({
    agentcore: {
      runtimes: [
        { arn: LOCAL, invocationUrl: agent.url },
        { arn: DEAD, invocationUrl: `http://127.0.0.1:${deadPort}` },
        { arn: FAILING, invocationUrl: failing.url },
        { arn: IDLE, invocationUrl: agent.url, idleTimeoutSeconds: 60 },
        { arn: SDK_APP, invocationUrl: `http://127.0.0.1:${appPort}/` },
      ],
    },
  }));
  emulator = await startEmulator({
    args: ['--fixtures', path.join(sourceDir, 'fixtures/default.json'), '--fixtures', fixture,
      '--agent-timeout-ms', String(1500 * slowdown)],
  });
  sdk = client(emulator.url);
});

after(async () => {
  sdk?.destroy();
  if (emulator) await stopCleanly(emulator);
  await agent?.close();
  await failing?.close();
  await sdkApp?.app?._app.close();
  if (fixtureDir) fs.rmSync(fixtureDir, { recursive: true, force: true });
});

const admin = (p, init) => call(`${emulator.url}/_emulator/${p}`, init);

describe('InvokeAgentRuntime forwarded to a local agent', () => {
  it('the payload and the headers reach the agent, and its JSON answer comes back', async () => {
    const session = runtimeSessionId('forward');
    const custom = client(emulator.url);
    // The SDK has no member for the custom headers; callers add them, as on AWS.
    custom.middlewareStack.add((next) => (args) => {
      args.request.headers['X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant'] = 'acme';
      return next(args);
    }, { step: 'build' });
    try {
      const out = await custom.send(new InvokeAgentRuntimeCommand({
        agentRuntimeArn: LOCAL, runtimeSessionId: session, contentType: 'application/json', accept: 'application/json',
        runtimeUserId: 'user-7', mcpSessionId: 'mcp-1', traceParent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        payload: Buffer.from(JSON.stringify({ prompt: 'hello agent' })),
      }));
      assert.equal(out.statusCode, 200);
      assert.equal(out.contentType, 'application/json');
      assert.equal(out.runtimeSessionId, session);
      assert.equal(out.mcpSessionId, 'from-agent');
      assert.equal(out.traceParent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
      assert.deepEqual(JSON.parse(await out.response.transformToString()), { echo: { prompt: 'hello agent' }, session });
    } finally {
      custom.destroy();
    }
    const seen = agent.requests.at(-1);
    assert.equal(seen.body, JSON.stringify({ prompt: 'hello agent' }));
    assert.equal(seen.headers['x-amzn-bedrock-agentcore-runtime-session-id'], session);
    assert.match(seen.headers['x-amzn-bedrock-agentcore-runtime-request-id'], /^[0-9a-f-]{36}$/);
    assert.equal(seen.headers['x-amzn-bedrock-agentcore-runtime-user-id'], 'user-7');
    assert.equal(seen.headers['x-amzn-bedrock-agentcore-runtime-custom-tenant'], 'acme');
    assert.equal(seen.headers['mcp-session-id'], 'mcp-1');
    assert.equal(seen.headers.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    assert.equal(seen.headers['content-type'], 'application/json');
    assert.equal(seen.headers.authorization, undefined, "the caller's signature stays with agentemu");
    assert.equal(seen.headers['x-amz-date'], undefined);
  });

  it('server-sent events reach the client one by one, not buffered to the end', async () => {
    const out = await sdk.send(new InvokeAgentRuntimeCommand({
      agentRuntimeArn: LOCAL, accept: 'text/event-stream', contentType: 'application/json', payload: Buffer.from('{}'),
    }));
    assert.equal(out.contentType, 'text/event-stream');
    const chunks = [];
    for await (const chunk of out.response) {
      chunks.push(Buffer.from(chunk).toString());
      // The agent sends the second event only once the first got here.
      if (chunks.length === 1) {
        assert.equal(chunks[0], 'data: {"n":1}\n\n');
        await eventually(() => agent.release);
        agent.release();
      }
    }
    assert.equal(chunks.join(''), 'data: {"n":1}\n\ndata: {"n":2}\n\n');
  });

  it('a dead agent, a failing agent and a silent agent are RuntimeClientError (424) that say which', async () => {
    const dead = await rejection(sdk.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: DEAD, payload: Buffer.from('{}') })));
    assert.equal(dead.name, 'RuntimeClientError');
    assert.equal(dead.$metadata.httpStatusCode, 424);
    assert.match(dead.message, /^The runtime refused the connection: connection refused by 127\.0\.0\.1:\d+ \(is the agent running\?\)$/);

    for (const status of [500, 503, 400, 404]) {
      const failed = await rejection(sdk.send(new InvokeAgentRuntimeCommand({
        agentRuntimeArn: FAILING, contentType: 'application/json', payload: Buffer.from(JSON.stringify({ answer: 'status', status })),
      })));
      assert.equal(failed.name, 'RuntimeClientError');
      assert.equal(failed.$metadata.httpStatusCode, 424);
      assert.equal(failed.message, `Received error (${status}) from runtime. Please check your CloudWatch logs for more information.`);
    }
    const journal = await admin('requests?operation=InvokeAgentRuntime&status=424&limit=1');
    assert.match(journal.json.requests[0].diagnostic, /answered 404: \{"error":"the agent says no"\}/);

    const silent = await rejection(sdk.send(new InvokeAgentRuntimeCommand({
      agentRuntimeArn: LOCAL, contentType: 'application/json', payload: Buffer.from(JSON.stringify({ answer: 'silence' })),
    })));
    assert.equal(silent.name, 'RuntimeClientError');
    assert.match(silent.message, /^The runtime did not respond in time: no answer from http:\/\/127\.0\.0\.1:\d+\/invocations within \d+ ms$/);
  });

  it('the idle timeout ends a session on the emulator clock; HealthyBusy keeps it alive', async () => {
    const invoke = (session) => sdk.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: IDLE, runtimeSessionId: session, payload: Buffer.from('{}') }));
    const stop = (session) => sdk.send(new StopRuntimeSessionCommand({ agentRuntimeArn: IDLE, runtimeSessionId: session }));
    try {
      const idle = runtimeSessionId('idle');
      await invoke(idle);
      await admin('clock', { method: 'PUT', json: { offsetSeconds: 61 } });
      assert.equal((await rejection(stop(idle))).name, 'ResourceNotFoundException', 'idle past 60 s: the session ended');

      // While the agent says HealthyBusy, idle time does not count.
      agent.ping = 'HealthyBusy';
      await admin('clock', { method: 'PUT', json: { offsetSeconds: 0 } });
      const busy = runtimeSessionId('busy');
      await invoke(busy);
      await new Promise((resolve) => setTimeout(resolve, 2500 * slowdown));  // a /ping poll or two
      await admin('clock', { method: 'PUT', json: { offsetSeconds: 120 } });
      const alive = await stop(busy);
      assert.equal(alive.runtimeSessionId, busy);
    } finally {
      agent.ping = 'Healthy';
      await admin('clock', { method: 'PUT', json: { offsetSeconds: 0 } });
    }
  });

  it('StopRuntimeSession ends a forwarded session: the same id starts afresh', async () => {
    const session = runtimeSessionId('stop');
    await sdk.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: LOCAL, runtimeSessionId: session, payload: Buffer.from('{}') }));
    await sdk.send(new StopRuntimeSessionCommand({ agentRuntimeArn: LOCAL, runtimeSessionId: session }));
    assert.equal((await rejection(sdk.send(new StopRuntimeSessionCommand({ agentRuntimeArn: LOCAL, runtimeSessionId: session })))).name,
      'ResourceNotFoundException');
  });

  it('a runtime without a URL keeps the deterministic echo', async () => {
    const out = await sdk.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: RUNTIME_ARN, contentType: 'application/json', payload: Buffer.from('{"a":1}') }));
    const body = JSON.parse(await out.response.transformToString());
    assert.deepEqual(body.payload, { a: 1 });
    assert.equal(body.agentRuntimeArn, RUNTIME_ARN);
  });
});

describe('an agent built with BedrockAgentCoreApp', () => {
  it('answers JSON and streams events through InvokeAgentRuntime, with the session and custom headers it expects', async () => {
    const session = runtimeSessionId('sdkapp');
    const out = await sdk.send(new InvokeAgentRuntimeCommand({
      agentRuntimeArn: SDK_APP, runtimeSessionId: session, contentType: 'application/json',
      payload: Buffer.from(JSON.stringify({ prompt: 'world' })),
    }));
    const json = JSON.parse(await out.response.transformToString());
    assert.equal(json.reply, 'hello world');
    assert.equal(json.session, session);

    const streamed = await sdk.send(new InvokeAgentRuntimeCommand({
      agentRuntimeArn: SDK_APP, runtimeSessionId: session, contentType: 'application/json', accept: 'text/event-stream',
      payload: Buffer.from(JSON.stringify({ stream: true })),
    }));
    assert.equal(streamed.contentType, 'text/event-stream');
    const text = await streamed.response.transformToString();
    const events = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)));
    assert.deepEqual(events, [{ word: 'one', session }, { word: 'two' }]);
  });
});

describe('the runtime WebSocket', () => {
  /** A SigV4-signed connection to /runtimes/{arn}/ws, as the package's RuntimeClient makes it. */
  async function connect(runtimeArn, sessionId) {
    process.env.BEDROCK_AGENTCORE_DATA_PLANE_ENDPOINT = emulator.url;
    const runtime = new RuntimeClient({ region: 'us-east-1', credentialsProvider: async () => TEST_CREDENTIALS });
    const { url, headers } = await runtime.generateWsConnection({ runtimeArn, sessionId });
    const ws = new WebSocket(url.replace(/^http/, 'ws'), { headers });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('unexpected-response', (req, res) => reject(new Error(`upgrade answered ${res.statusCode}`)));
      ws.once('error', reject);
    });
    return ws;
  }
  const next = (ws) => new Promise((resolve) => ws.once('message', (data, binary) => resolve({ data, binary })));

  it('is relayed to the agent\'s /ws frame for frame, both ways, with the session header', async () => {
    const session = runtimeSessionId('ws');
    const ws = await connect(LOCAL, session);
    ws.send('hello');
    const text = await next(ws);
    assert.equal(text.data.toString(), 'agent:hello');
    assert.equal(text.binary, false);
    ws.send(Buffer.from([0, 1, 2]));
    const binary = await next(ws);
    assert.deepEqual([...binary.data], [0, 1, 2]);
    assert.equal(binary.binary, true);
    assert.equal(agent.wsHeaders['x-amzn-bedrock-agentcore-runtime-session-id'], session);
    assert.equal(agent.wsHeaders.authorization, undefined);
    ws.close(4000, 'bye');
    await eventually(() => agent.wsClosed === 4000);
  });

  it('echoes without an agent, and an unsigned upgrade is refused', async () => {
    const ws = await connect(RUNTIME_ARN, runtimeSessionId('echo-ws'));
    ws.send('same back');
    assert.equal((await next(ws)).data.toString(), 'same back');
    ws.close();
    const unsigned = new WebSocket(`${emulator.url.replace(/^http/, 'ws')}/runtimes/${encodeURIComponent(LOCAL)}/ws`);
    const status = await new Promise((resolve) => {
      unsigned.once('unexpected-response', (req, res) => resolve(res.statusCode));
      unsigned.once('open', () => resolve(101));
    });
    assert.equal(status, 403);
  });

  it('a dead agent refuses the upgrade with RuntimeClientError', async () => {
    await assert.rejects(connect(DEAD, runtimeSessionId('dead-ws')), /upgrade answered 424/);
  });
});

describe('--agent-url', () => {
  it('is the agent of runtimes that name none', async () => {
    const emu = await startEmulator({ args: ['--agent-url', `${agent.url}/`] });
    const own = client(emu.url);
    try {
      const out = await own.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: RUNTIME_ARN, payload: Buffer.from('{"via":"flag"}') }));
      assert.deepEqual(JSON.parse(await out.response.transformToString()).echo, { via: 'flag' });
    } finally {
      own.destroy();
      await stopCleanly(emu);
    }
  });
});
