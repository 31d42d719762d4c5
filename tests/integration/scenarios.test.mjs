// The scenario engine over loopback, on the REST vendor's routes: every respond kind, both
// phases, delays, sequences, the journal and metrics, files reloaded on change, and the shipped
// soak scenario. (Vendor-specific example scenarios are tested beside each vendor.)
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, stopCleanly, call, eventually, sourceDir, slowdown } from '../support/emulator.mjs';

const ELIZA = '550e8400-e29b-41d4-a716-446655440000';
const BOB = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

let emu;
before(async () => { emu = await startEmulator(); });
after(async () => stopCleanly(emu));
beforeEach(async () => {
  await call(`${emu.url}/_emulator/scenarios`, { method: 'DELETE' });
  await call(`${emu.url}/_emulator/reset`, { method: 'POST' });
});

async function putScenario(name, scenario, target = emu) {
  const r = await call(`${target.url}/_emulator/scenarios/${name}`, { method: 'PUT', json: scenario });
  assert.equal(r.status, 200, r.text);
}

/** Sends one GET over a fresh socket; resolves {data, error} once the server closes or errors. */
function rawGet(port, path, { timeoutMs = 3000 } = {}) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`));
    const chunks = [];
    let error = null;
    const timer = setTimeout(() => { socket.destroy(); resolve({ data: Buffer.concat(chunks), error: 'timeout' }); }, timeoutMs);
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', (e) => { error = e.code; });
    socket.on('close', () => { clearTimeout(timer); resolve({ data: Buffer.concat(chunks), error }); });
  });
}

test('a vendor error id is rendered in the vendor envelope, and journaled with its rule', async () => {
  await putScenario('gone', { rules: [{ name: 'eliza-missing', match: { vendor: 'rest', operation: 'GetAgent' },
    respond: { error: 'Agent not found' } }] });
  const r = await call(`${emu.url}/agents/${ELIZA}`);
  assert.equal(r.status, 404);
  assert.deepEqual(r.json, { success: false, error: 'Agent not found' });
  const journal = await call(`${emu.url}/_emulator/requests?operation=GetAgent&limit=1`);
  assert.deepEqual(journal.json.requests[0].scenario, { name: 'gone', rule: 'eliza-missing' });
  assert.equal(journal.json.requests[0].status, 404);
  const metrics = await call(`${emu.url}/metrics`);
  assert.match(metrics.text, /agentemu_faults_injected_total\{vendor="rest",scenario="gone",kind="error"\} 1/);
  const list = await call(`${emu.url}/_emulator/scenarios`);
  assert.equal(list.json.scenarios[0].rules[0].hits, 1);
});

test('a raw answer is sent as written', async () => {
  await putScenario('raw', { rules: [{ match: { path: '/agents' }, respond: { status: 503, headers: { 'Retry-After': '3' }, body: 'down' } }] });
  const r = await call(`${emu.url}/agents`);
  assert.equal(r.status, 503);
  assert.equal(r.headers.get('retry-after'), '3');
  assert.equal(r.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.equal(r.text, 'down');
});

test('connection_reset resets, empty_response closes silently, malformed and random bytes are not HTTP', async () => {
  for (const [fault, check] of [
    ['connection_reset', (r) => assert.equal(r.error, 'ECONNRESET')],
    ['empty_response', (r) => { assert.equal(r.data.length, 0); assert.equal(r.error, null); }],
    ['malformed_response', (r) => assert.match(r.data.toString('latin1'), /^HTTP\/1\.1 \?\?\? /)],
    ['random_then_close', (r) => { assert.ok(r.data.length >= 16); assert.notEqual(r.error, 'timeout'); }],
  ]) {
    await putScenario('net', { rules: [{ match: { path: '/agents' }, respond: { fault } }] });
    check(await rawGet(emu.port, '/agents'));
  }
  await call(`${emu.url}/_emulator/scenarios`, { method: 'DELETE' });
  assert.equal((await call(`${emu.url}/agents`)).status, 200, 'the server is unaffected');
});

test('hang holds the connection until the client gives up, without blocking others', async () => {
  await putScenario('hang', { rules: [{ match: { path: '/agents' }, respond: { fault: 'hang' } }] });
  const hung = rawGet(emu.port, '/agents', { timeoutMs: 400 });
  assert.equal((await call(`${emu.url}/agents/${ELIZA}`)).status, 200);
  const r = await hung;
  assert.equal(r.error, 'timeout');
  assert.equal(r.data.length, 0);
});

test('phase "after": the operation runs and changes state, then the fault replaces its answer', async () => {
  await putScenario('lost', { rules: [{ match: { vendor: 'rest', operation: 'StartAgent' }, phase: 'after',
    respond: { fault: 'connection_reset' } }] });
  const r = await call(`${emu.url}/agents/${BOB}/start`, { method: 'POST', json: {} }).catch((e) => e);
  assert.ok(r instanceof Error, 'the client saw its connection reset');
  const agent = await call(`${emu.url}/agents/${BOB}`);
  assert.equal(agent.json.data.status, 'active', 'but the start happened');
});

test('phase "before": the operation does not run', async () => {
  await putScenario('blocked', { rules: [{ match: { vendor: 'rest', operation: 'StartAgent' }, respond: { status: 500, body: { no: true } } }] });
  const r = await call(`${emu.url}/agents/${BOB}/start`, { method: 'POST', json: {} });
  assert.equal(r.status, 500);
  assert.deepEqual(r.json, { no: true });
  assert.equal((await call(`${emu.url}/agents/${BOB}`)).json.data.status, 'inactive');
});

test('delayMs delays without blocking the server, and "pass" lets the operation answer', async () => {
  await putScenario('slow', { rules: [{ match: { path: '/agents' }, delayMs: 300, respond: 'pass' }] });
  const started = Date.now();
  const slow = call(`${emu.url}/agents`);
  const quick = await call(`${emu.url}/agents/${ELIZA}`);
  assert.equal(quick.status, 200);
  assert.ok(Date.now() - started < 300, 'another request is not held behind the delay');
  const r = await slow;
  assert.equal(r.status, 200);
  assert.ok(Date.now() - started >= 290);
});

test('a sequence walks its steps and repeats the last', async () => {
  await putScenario('flaky', { rules: [{ match: { vendor: 'rest', operation: 'GetAgent' },
    sequence: [{ status: 503 }, { error: 'Agent not found' }, 'pass'] }] });
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await call(`${emu.url}/agents/${ELIZA}`)).status);
  assert.deepEqual(statuses, [503, 404, 200, 200]);
});

test('reset zeroes the rules counters', async () => {
  await putScenario('second', { rules: [{ match: { path: '/agents' }, when: { calls: '2' }, respond: { status: 599 } }] });
  assert.equal((await call(`${emu.url}/agents`)).status, 200);
  assert.equal((await call(`${emu.url}/agents`)).status, 599);
  await call(`${emu.url}/_emulator/reset`, { method: 'POST' });
  assert.equal((await call(`${emu.url}/agents`)).status, 200);
  assert.equal((await call(`${emu.url}/agents`)).status, 599);
});

test('scenario files are watched: edits apply, a broken edit keeps the last good version, removal unloads', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentemu-scenarios-'));
  const file = path.join(dir, 'watched.json');
  const write = (status) => fs.writeFileSync(file, JSON.stringify({ rules: [{ match: { path: '/agents' }, respond: { status } }] }));
  write(501);
  const watched = await startEmulator({ args: ['--scenarios', dir, '--log-level', 'info'] });
  try {
    assert.equal((await call(`${watched.url}/agents`)).status, 501);
    await new Promise((r) => setTimeout(r, 1100)); // a new mtime second
    write(502);
    await eventually(async () => (await call(`${watched.url}/agents`)).status === 502);
    fs.writeFileSync(file, '{"rules": [ {"respond": {"status": 503}}, ');
    await eventually(() => /scenario file rejected; keeping the last good version/.test(watched.stderr()));
    assert.equal((await call(`${watched.url}/agents`)).status, 502);
    const list = await call(`${watched.url}/_emulator/scenarios`);
    assert.equal(list.json.scenarios[0].name, 'watched', 'named after its file');
    fs.rmSync(file);
    await eventually(async () => (await call(`${watched.url}/agents`)).status === 200);
  } finally {
    await stopCleanly(watched);
  }
});

test('scenario files are always in name order: one added to a watched folder while running takes its place', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentemu-order-'));
  const rule = (status) => JSON.stringify({ rules: [{ match: { path: '/agents' }, respond: { status } }] });
  fs.writeFileSync(path.join(dir, 'b.json'), rule(502));
  const watched = await startEmulator({ args: ['--scenarios', dir] });
  try {
    assert.equal((await call(`${watched.url}/agents`)).status, 502);
    fs.writeFileSync(path.join(dir, 'a.json'), rule(501));
    fs.writeFileSync(path.join(dir, 'c.json'), rule(503));
    const names = async () => (await call(`${watched.url}/_emulator/scenarios`)).json.scenarios.map((s) => s.name);
    await eventually(async () => (await names()).length === 3);
    assert.deepEqual(await names(), ['a', 'b', 'c'], 'as after a restart');
    assert.equal((await call(`${watched.url}/agents`)).status, 501, "a.json's rule is tried first");
    await putScenario('api-one', JSON.parse(rule(504)), watched);
    assert.deepEqual(await names(), ['a', 'b', 'c', 'api-one'], 'scenarios PUT through the API come after the files');
  } finally {
    await stopCleanly(watched);
  }
  const restarted = await startEmulator({ args: ['--scenarios', dir] });
  try {
    assert.deepEqual((await call(`${restarted.url}/_emulator/scenarios`)).json.scenarios.map((s) => s.name), ['a', 'b', 'c']);
  } finally {
    await stopCleanly(restarted);
  }
});

test('POST /_emulator/scenarios/{name}/reload reads a file again at once; an API scenario has no file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentemu-reload-'));
  const file = path.join(dir, 'again.json');
  fs.writeFileSync(file, JSON.stringify({ rules: [{ match: { path: '/agents' }, respond: { status: 501 } }] }));
  const watched = await startEmulator({ args: ['--scenarios', dir] });
  try {
    const stat = fs.statSync(file);
    fs.writeFileSync(file, JSON.stringify({ rules: [{ match: { path: '/agents' }, respond: { status: 502 } }] }));
    fs.utimesSync(file, stat.atime, stat.mtime);  // same mtime: the watcher alone might miss it
    const reload = await call(`${watched.url}/_emulator/scenarios/again/reload`, { method: 'POST' });
    assert.equal(reload.status, 200, reload.text);
    assert.equal((await call(`${watched.url}/agents`)).status, 502);
    fs.writeFileSync(file, '{"rules": [');
    const broken = await call(`${watched.url}/_emulator/scenarios/again/reload`, { method: 'POST' });
    assert.equal(broken.status, 400);
    assert.equal(broken.json.error, 'invalid_scenario');
    assert.match(broken.json.message, /again\.json:\d+:\d+: .*the loaded version stays/);
    assert.equal((await call(`${watched.url}/agents`)).status, 502);
    await putScenario('from-api', { rules: [] }, watched);
    const api = await call(`${watched.url}/_emulator/scenarios/from-api/reload`, { method: 'POST' });
    assert.equal(api.status, 409);
    assert.equal((await call(`${watched.url}/_emulator/scenarios/nope/reload`, { method: 'POST' })).status, 404);
  } finally {
    await stopCleanly(watched);
  }
});

test('SIGTERM lets an in-flight request finish before exiting 0', async () => {
  const draining = await startEmulator();
  await putScenario('slow', { rules: [{ match: { path: '/agents' }, delayMs: 500 * slowdown, respond: 'pass' }] }, draining);
  const inflight = call(`${draining.url}/agents`);
  await new Promise((r) => setTimeout(r, 100));
  const exit = draining.stop();
  const r = await inflight;
  assert.equal(r.status, 200);
  assert.match(r.headers.get('connection') ?? '', /close/);
  assert.equal(await exit, 0);
});

test('the shipped soak scenario resets about 5% of connections, the same ones every run', async () => {
  const runOnce = async () => {
    const soak = await startEmulator({ args: ['--scenarios', path.join(sourceDir, 'scenarios/soak-connection-resets.json')] });
    try {
      let pattern = '';
      for (let i = 0; i < 300; i++) {
        const r = await call(`${soak.url}/agents/${ELIZA}`).then((x) => x.status, () => 'reset');
        pattern += r === 'reset' ? 'x' : '.';
      }
      return pattern;
    } finally {
      await stopCleanly(soak);
    }
  };
  const first = await runOnce();
  const resets = [...first].filter((c) => c === 'x').length;
  assert.ok(resets >= 5 && resets <= 30, `${resets} resets in 300`);
  assert.equal(await runOnce(), first, 'the seed makes the faults repeatable');
});

test('every shipped example scenario loads, together, with its rules named', async () => {
  const folder = path.join(sourceDir, 'scenarios');
  const files = fs.readdirSync(folder).filter((f) => f.endsWith('.json'));
  const all = await startEmulator({ args: ['--scenarios', folder] });
  try {
    const list = (await call(`${all.url}/_emulator/scenarios`)).json.scenarios;
    assert.equal(list.length, files.length);
    for (const scenario of list) {
      assert.ok(scenario.rules.length > 0, scenario.name);
      assert.ok(files.includes(path.basename(scenario.source)), scenario.source);
    }
  } finally {
    await stopCleanly(all);
  }
});

test('a params name no vendor answers is refused at load time, with its pointer', async () => {
  const put = (rules) => call(`${emu.url}/_emulator/scenarios/params`, { method: 'PUT', json: { rules } });
  const rule = (match) => ({ match, respond: 'pass' });
  // Every vendor's own names load.
  let r = await put([
    rule({ vendor: 'ice', operation: 'GetAIAgentConcurrency', params: { AIAgentId: 'a*', Action: '*' } }),
    rule({ vendor: 'zego', params: { AgentInstanceId: '1*', 'RTC.RoomId': 'room*', AppId: '*' } }),
    rule({ vendor: 'rest', operation: 'StopAgent', params: { graceful: 'true', timeout: '*', agentId: '*' } }),
    rule({ vendor: 'agentcore', params: { runtimeSessionId: 'x*', sessionId: '*' } }),
    rule({ params: { AgentInstanceId: '*' } }),
  ]);
  assert.equal(r.status, 200, r.text);
  // A misspelt one is named, with the vendor that lacks it.
  r = await put([rule({ vendor: 'ice', params: { AIAgentID: 'a*' } })]);
  assert.equal(r.status, 400);
  assert.equal(r.json.error, 'invalid_scenario');
  assert.equal(r.json.pointer, '/rules/0/match/params/AIAgentID');
  assert.equal(r.json.message, 'vendor ice has no parameter "AIAgentID"');
  r = await put([rule({ vendor: 'rest', params: { gracefull: 'true' } })]);
  assert.equal(r.json.message, 'vendor rest has no parameter "gracefull"');
  // Another vendor's name is not this vendor's.
  r = await put([rule({ vendor: 'agentcore', params: { AIAgentId: '*' } })]);
  assert.equal(r.json.message, 'vendor agentcore has no parameter "AIAgentId"');
  r = await put([rule({ params: { AgentInstanceID: '*' } })]);
  assert.equal(r.json.pointer, '/rules/0/match/params/AgentInstanceID');
  assert.equal(r.json.message, 'no vendor has a parameter "AgentInstanceID"');
});
