// A runtime session's commands and agent card, and a runtime made by the control plane, through
// @aws-sdk/client-bedrock-agentcore(-control) and the `bedrock-agentcore` package:
// InvokeAgentRuntimeCommand runs in the session's own working directory and streams its output
// as the model's event stream; GetAgentCard asks an A2A runtime's agent for its card; a runtime
// created with the agentemu:invocationUrl tag is invoked and reaches the local agent; the
// runtime WebSocket takes a presigned URL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {
  GetAgentCardCommand, InvokeAgentRuntimeCommand, InvokeAgentRuntimeCommandCommand, StopRuntimeSessionCommand,
} from '@aws-sdk/client-bedrock-agentcore';
import { BedrockAgentCoreControlClient, CreateAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { RuntimeClient } from 'bedrock-agentcore/runtime';
import WebSocket from 'ws';
import { call, eventually, sourceDir, startEmulator, stopCleanly } from '../support/emulator.mjs';
import { RUNTIME_ARN, TEST_CREDENTIALS, client, rejection, runtimeSessionId } from '../support/agentcore.mjs';

const ACCOUNT = '123456789012';
const arn = (name) => `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:runtime/${name}-a1b2c3d4e5`;
const A2A = arn('a2a_agent');
const A2A_NO_URL = arn('a2a_card');

/** An A2A server on node's http: its card, JSON-RPC at the root, /ping; it records what reaches it. */
function startA2aAgent() {
  const agent = { requests: [] };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      agent.requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (req.method === 'GET' && req.url === '/.well-known/agent-card.json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ name: 'Calculator', url: 'http://127.0.0.1/', skills: [{ id: 'add', name: 'Add' }] }));
      } else if (req.method === 'GET' && req.url === '/ping') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"Healthy"}');
      } else if (req.method === 'POST' && req.url === '/') {
        const rpc = JSON.parse(body);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: rpc.id, result: { echoed: rpc.method } }));
      } else if (req.method === 'POST' && req.url === '/invocations') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ invoked: JSON.parse(body || '{}') }));
      } else {
        res.writeHead(404).end();
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      agent.url = `http://127.0.0.1:${server.address().port}`;
      agent.close = () => new Promise((done) => { server.closeAllConnections(); server.close(done); });
      resolve(agent);
    });
  });
}

let agent;
let emulator;
let sdk;
let fixtureDir;

before(async () => {
  agent = await startA2aAgent();
  fixtureDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentemu-command-'));
  const fixture = path.join(fixtureDir, 'runtimes.json');
  fs.writeFileSync(fixture, JSON.stringify({
    agentcore: {
      runtimes: [
        { arn: A2A, invocationUrl: agent.url, serverProtocol: 'A2A' },
        { arn: A2A_NO_URL, serverProtocol: 'A2A' },
      ],
    },
  }));
  emulator = await startEmulator({
    args: ['--fixtures', path.join(sourceDir, 'fixtures/default.json'), '--fixtures', fixture,
      '--exec-limits', 'timeout=20s,output=64k'],
  });
  sdk = client(emulator.url);
});

after(async () => {
  sdk?.destroy();
  if (emulator) await stopCleanly(emulator);
  await agent?.close();
  if (fixtureDir) fs.rmSync(fixtureDir, { recursive: true, force: true });
});

/** The events of a command's stream, as the SDK decodes them: [{contentStart}, {contentDelta}, ...]. */
async function command(runtimeSessionId, text, extra = {}) {
  const out = await sdk.send(new InvokeAgentRuntimeCommandCommand({
    agentRuntimeArn: RUNTIME_ARN, runtimeSessionId, body: { command: text, ...extra },
  }));
  const events = [];
  for await (const event of out.stream) events.push(event.chunk);
  return { out, events };
}

const stdoutOf = (events) => events.filter((e) => e.contentDelta?.stdout).map((e) => e.contentDelta.stdout).join('');
const stderrOf = (events) => events.filter((e) => e.contentDelta?.stderr).map((e) => e.contentDelta.stderr).join('');

describe('InvokeAgentRuntimeCommand', () => {
  it('runs the command for real and streams contentStart, its output and contentStop with the exit code', async () => {
    const session = runtimeSessionId('cmd');
    const { out, events } = await command(session, 'echo out; echo err >&2; exit 3');
    assert.equal(out.contentType, 'application/vnd.amazon.eventstream');
    assert.equal(out.runtimeSessionId, session);
    assert.deepEqual(events[0], { contentStart: {} });
    assert.deepEqual(events.at(-1), { contentStop: { exitCode: 3, status: 'COMPLETED' } });
    assert.equal(stdoutOf(events), 'out\n');
    assert.equal(stderrOf(events), 'err\n');
  });

  it('streams output as it arrives, in the session\'s own directory, which other sessions do not see', async () => {
    const session = runtimeSessionId('stream');
    const out = await sdk.send(new InvokeAgentRuntimeCommandCommand({
      agentRuntimeArn: RUNTIME_ARN, runtimeSessionId: session,
      body: { command: 'echo first; while [ ! -e go ]; do sleep 0.05; done; echo second' },
    }));
    const events = out.stream[Symbol.asyncIterator]();
    assert.deepEqual((await events.next()).value.chunk, { contentStart: {} });
    // The first line arrives while the command still waits: nothing is held back to the end.
    assert.deepEqual((await events.next()).value.chunk, { contentDelta: { stdout: 'first\n' } });
    // A second command of the same session makes the file the first one waits for.
    const other = runtimeSessionId('other');
    assert.equal(stdoutOf((await command(other, 'touch go; ls')).events), 'go\n');
    const touched = await command(session, 'touch go && pwd');
    assert.deepEqual(touched.events.at(-1), { contentStop: { exitCode: 0, status: 'COMPLETED' } });
    const rest = [];
    for (let next = await events.next(); !next.done; next = await events.next()) rest.push(next.value.chunk);
    assert.equal(stdoutOf(rest), 'second\n');
    assert.deepEqual(rest.at(-1), { contentStop: { exitCode: 0, status: 'COMPLETED' } });

    // StopRuntimeSession removes the session's directory with it.
    const dir = stdoutOf(touched.events).trim();
    assert.ok(fs.existsSync(path.join(dir, 'go')));
    await sdk.send(new StopRuntimeSessionCommand({ agentRuntimeArn: RUNTIME_ARN, runtimeSessionId: session }));
    await eventually(() => !fs.existsSync(dir));
  });

  it('a command past its timeout is killed and reported TIMED_OUT', async () => {
    const { events } = await command(runtimeSessionId('slow'), 'echo begun; sleep 30', { timeout: 1 });
    assert.equal(stdoutOf(events), 'begun\n');
    const stop = events.at(-1).contentStop;
    assert.equal(stop.status, 'TIMED_OUT');
    assert.notEqual(stop.exitCode, 0);
  });

  it('a timeout outside 1..3600 seconds and an unknown runtime are refused', async () => {
    const bad = await rejection(command(runtimeSessionId('bad'), 'true', { timeout: 0 }));
    assert.equal(bad.name, 'ValidationException');
    const missing = await rejection(sdk.send(new InvokeAgentRuntimeCommandCommand({
      agentRuntimeArn: arn('nobody'), runtimeSessionId: runtimeSessionId('none'), body: { command: 'true' },
    })));
    assert.equal(missing.name, 'ResourceNotFoundException');
  });

  it('with --code-interpreter echo, the command line comes back as its output', async () => {
    const emu = await startEmulator({ args: ['--code-interpreter', 'echo'] });
    const own = client(emu.url);
    try {
      const out = await own.send(new InvokeAgentRuntimeCommandCommand({
        agentRuntimeArn: RUNTIME_ARN, runtimeSessionId: runtimeSessionId('echo'), body: { command: 'rm -rf /' },
      }));
      const events = [];
      for await (const event of out.stream) events.push(event.chunk);
      assert.deepEqual(events, [{ contentStart: {} }, { contentDelta: { stdout: 'rm -rf /\n' } },
        { contentStop: { exitCode: 0, status: 'COMPLETED' } }]);
    } finally {
      own.destroy();
      await stopCleanly(emu);
    }
  });
});

describe('the end of a runtime session\'s commands', () => {
  const alive = (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('a session that idles out on the emulator clock takes its directory with it', async () => {
    const session = runtimeSessionId('idle');
    const dir = stdoutOf((await command(session, 'pwd')).events).trim();
    assert.ok(fs.existsSync(dir));
    try {
      await call(`${emulator.url}/_emulator/clock`, { method: 'PUT', json: { offsetSeconds: 901 } });
      await eventually(() => !fs.existsSync(dir));
    } finally {
      await call(`${emulator.url}/_emulator/clock`, { method: 'PUT', json: { offsetSeconds: 0 } });
    }
  });

  it('agentemu exiting kills a command that still runs and removes its directory', async () => {
    const emu = await startEmulator();
    const own = client(emu.url);
    try {
      const out = await own.send(new InvokeAgentRuntimeCommandCommand({
        agentRuntimeArn: RUNTIME_ARN, runtimeSessionId: runtimeSessionId('exit'), body: { command: 'pwd; sleep 60 & echo $!; wait' },
      }));
      const events = out.stream[Symbol.asyncIterator]();
      await events.next();  // contentStart
      let printed = '';
      while (printed.split('\n').length < 3) printed += (await events.next()).value.chunk.contentDelta.stdout;
      const [dir, pid] = printed.split('\n');
      assert.ok(alive(Number(pid)));
      // The stream is cut with agentemu: its end is not awaited.
      events.next().catch(() => {});
      await stopCleanly(emu);
      assert.equal(alive(Number(pid)), false);
      assert.equal(fs.existsSync(dir), false);
    } finally {
      own.destroy();
      await emu.stop();
    }
  });
});

describe('GetAgentCard', () => {
  it('an A2A runtime\'s agent answers with its card, and invocations go to its root', async () => {
    const session = runtimeSessionId('card');
    const out = await sdk.send(new GetAgentCardCommand({ agentRuntimeArn: A2A, runtimeSessionId: session }));
    assert.equal(out.statusCode, 200);
    assert.equal(out.runtimeSessionId, session);
    assert.deepEqual(out.agentCard, { name: 'Calculator', url: 'http://127.0.0.1/', skills: [{ id: 'add', name: 'Add' }] });
    const asked = agent.requests.find((r) => r.url === '/.well-known/agent-card.json');
    assert.equal(asked.headers['x-amzn-bedrock-agentcore-runtime-session-id'], session);

    const rpc = await sdk.send(new InvokeAgentRuntimeCommand({
      agentRuntimeArn: A2A, runtimeSessionId: session, contentType: 'application/json',
      payload: Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'message/send', params: {} })),
    }));
    assert.deepEqual(JSON.parse(await rpc.response.transformToString()), { jsonrpc: '2.0', id: 7, result: { echoed: 'message/send' } });
    assert.ok(agent.requests.some((r) => r.method === 'POST' && r.url === '/'));
  });

  it('an A2A runtime without an agent has a card naming the runtime\'s AgentCore URL', async () => {
    const out = await sdk.send(new GetAgentCardCommand({ agentRuntimeArn: A2A_NO_URL }));
    assert.equal(out.agentCard.name, 'a2a_card');
    assert.equal(out.agentCard.url,
      `https://bedrock-agentcore.us-east-1.amazonaws.com/runtimes/${encodeURIComponent(A2A_NO_URL)}/invocations/`);
  });

  it('an HTTP runtime has no agent card', async () => {
    const error = await rejection(sdk.send(new GetAgentCardCommand({ agentRuntimeArn: RUNTIME_ARN })));
    assert.equal(error.name, 'ResourceNotFoundException');
    assert.match(error.message, /server protocol is HTTP/);
  });
});

describe('a runtime created by the control plane', () => {
  it('is invoked through the data plane and reaches the local agent its tag names', async () => {
    const control = new BedrockAgentCoreControlClient({ region: 'us-east-1', endpoint: emulator.url, credentials: TEST_CREDENTIALS });
    try {
      const { agentRuntimeArn } = await control.send(new CreateAgentRuntimeCommand({
        agentRuntimeName: 'created_agent', roleArn: `arn:aws:iam::${ACCOUNT}:role/AgentRole`,
        agentRuntimeArtifact: { containerConfiguration: { containerUri: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/agent:latest` } },
        networkConfiguration: { networkMode: 'PUBLIC' },
        tags: { 'agentemu:invocationUrl': agent.url },
      }));
      const session = runtimeSessionId('created');
      const out = await sdk.send(new InvokeAgentRuntimeCommand({
        agentRuntimeArn, runtimeSessionId: session, contentType: 'application/json',
        payload: Buffer.from(JSON.stringify({ prompt: 'from the control plane' })),
      }));
      assert.deepEqual(JSON.parse(await out.response.transformToString()), { invoked: { prompt: 'from the control plane' } });
      const reached = agent.requests.findLast((r) => r.url === '/invocations');
      assert.equal(reached.headers['x-amzn-bedrock-agentcore-runtime-session-id'], session);
    } finally {
      control.destroy();
    }
  });
});

describe('the runtime WebSocket with a presigned URL', () => {
  const runtime = () => {
    process.env.BEDROCK_AGENTCORE_DATA_PLANE_ENDPOINT = emulator.url;
    return new RuntimeClient({ region: 'us-east-1', credentialsProvider: async () => TEST_CREDENTIALS });
  };
  // The package presigns wss://<host> without a port; the client opens it where agentemu listens.
  const open = (url) => new Promise((resolve) => {
    const ws = new WebSocket(url.replace(/^wss:\/\/[^/]+/, emulator.url.replace(/^http/, 'ws')));
    ws.once('open', () => resolve({ ws, status: 101 }));
    ws.once('unexpected-response', (req, res) => resolve({ status: res.statusCode }));
  });

  it('opens with the package\'s presigned URL (SigV4 in the query) and carries its session', async () => {
    const session = runtimeSessionId('presigned');
    const url = await runtime().generatePresignedUrl({ runtimeArn: RUNTIME_ARN, sessionId: session, expires: 60 });
    assert.match(url, /X-Amz-Signature=/);
    const { ws, status } = await open(url);
    assert.equal(status, 101);
    ws.send('through the query');
    const echoed = await new Promise((resolve) => ws.once('message', (data) => resolve(data.toString())));
    assert.equal(echoed, 'through the query');
    ws.close();
    const state = await call(`${emulator.url}/_emulator/state?vendor=agentcore`);
    assert.ok(state.text.includes(session));
  });

  it('the interactive shell is a real route agentemu names as not emulated', async () => {
    const { url, headers } = await runtime().connectShellSigV4({
      runtimeArn: RUNTIME_ARN, shellId: 'debug', sessionId: runtimeSessionId('shell'),
    });
    const status = await new Promise((resolve) => {
      const ws = new WebSocket(url.replace(/^http/, 'ws'), { headers });
      ws.once('open', () => resolve(101));
      ws.once('unexpected-response', (req, res) => resolve(res.statusCode));
    });
    assert.equal(status, 501);
  });

  it('a tampered or expired presigned URL is refused with 403', async () => {
    const url = await runtime().generatePresignedUrl({ runtimeArn: RUNTIME_ARN, expires: 1 });
    assert.equal((await open(url.replace(/X-Amz-Signature=[0-9a-f]/, 'X-Amz-Signature=z'))).status, 403);
    await call(`${emulator.url}/_emulator/clock`, { method: 'PUT', json: { offsetSeconds: 120 } });
    try {
      assert.equal((await open(url)).status, 403);
    } finally {
      await call(`${emulator.url}/_emulator/clock`, { method: 'PUT', json: { offsetSeconds: 0 } });
    }
  });
});
