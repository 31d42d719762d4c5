// The whole /api surface of the elizaOS server: every route it has is known (the ones agentemu
// does not emulate answer 501 in the server's envelope, naming the route), a path it does not
// have gets its own "API endpoint not found", and its middleware runs in its order.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startEmulator, stopCleanly } from '../support/emulator.mjs';
import { BOB, ELIZA, assertElizaError, mergeRest, resetEmulator, writeFixture } from '../support/rest.mjs';

let emu;
before(async () => { emu = await startEmulator(); });
after(async () => { await stopCleanly(emu); });
beforeEach(async () => {
  await resetEmulator(emu.url);
  await call(`${emu.url}/_emulator/scenarios`, { method: 'DELETE' });
});

const NOT_FOUND = { success: false, error: { message: 'API endpoint not found', code: 404 } };
const lastEntry = async () => (await call(`${emu.url}/_emulator/requests?vendor=rest&limit=1`)).json.requests.at(-1);

describe('routes the server does not have', () => {
  test('404 API endpoint not found, journaled under rest with no operation', async () => {
    const cases = [
      ['GET', '/api/nothing'], ['POST', '/api/messaging/complete'], ['GET', `/api/messaging/messages/${ELIZA}`],
      ['DELETE', '/api/messaging/message-servers/x'], ['PUT', `/api/agents/${ELIZA}`], ['GET', '/api/server/ping/extra'],
      ['GET', '/api'],
    ];
    for (const [method, path] of cases) {
      const response = await call(`${emu.url}${path}`, { method, json: method === 'GET' || method === 'DELETE' ? undefined : {} });
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.deepEqual(response.json, NOT_FOUND, `${method} ${path}`);
      const entry = await lastEntry();
      assert.equal(entry.path, path);
      assert.equal(entry.operation, '');
    }
  });

  test('the content type is checked first: 400 INVALID_CONTENT_TYPE, except under /api/media', async () => {
    const text = { headers: { 'content-type': 'text/plain' }, body: 'x' };
    assertElizaError(await call(`${emu.url}/api/nothing`, { method: 'POST', ...text }), 400, 'INVALID_CONTENT_TYPE');
    assertElizaError(await call(`${emu.url}/api/messaging/submit`, { method: 'POST', ...text }), 400, 'INVALID_CONTENT_TYPE');
    assertElizaError(await call(`${emu.url}/api/media/agents/${ELIZA}/upload-media`, { method: 'POST', ...text }), 501,
      'NOT_IMPLEMENTED');
  });
});

describe('routes agentemu does not emulate', () => {
  test('501 in the server\'s envelope, naming the operation and the route; the diagnostic names the client', async () => {
    const response = await call(`${emu.url}/api/agents/${ELIZA}/runs?limit=5`);
    assert.equal(response.status, 501);
    assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(response.text, JSON.stringify({
      success: false,
      error: { code: 'NOT_IMPLEMENTED', message: 'agentemu does not emulate ListRuns (GET /api/agents/{agentId}/runs) of the elizaOS server' },
    }));
    assert.equal(response.headers.get('x-agentemu-diagnostic'), '@elizaos/api-client calls it as runs.listRuns');
    const entry = await lastEntry();
    assert.equal(entry.operation, 'ListRuns');
    assert.equal(entry.errorCode, 'NOT_IMPLEMENTED');
  });

  test('Express\'s order decides: aliases, shadowed paths, trailing slashes, any JSON body', async () => {
    const cases = [
      ['POST', '/api/messaging/central-channels', 'CreateChannel'],
      ['GET', '/api/messaging/servers/x/agents', 'GetAgentsForMessageServer'],
      ['DELETE', '/api/memory/groups/memories', 'ClearAgentMemories'],  // :agentId = "groups"
      ['DELETE', '/api/memory/groups/x/memories', 'ClearWorldMemories'],
      ['GET', '/api/server/ping/', 'Ping'],
      ['GET', '/api/system/config', 'GetSystemConfig'],
      ['POST', `/api/agents/${ELIZA}/rooms`, 'CreateRoom'],
      ['GET', '/api/messaging/jobs/health', 'CheckJobsHealth'],
      ['GET', '/api/messaging/jobs/j1', 'GetJob'],
    ];
    for (const [method, path, operation] of cases) {
      const response = await call(`${emu.url}${path}`, { method, json: method === 'POST' ? [1, 2] : undefined });
      assert.equal(response.status, 501, `${method} ${path}: ${response.text}`);
      assert.equal((await lastEntry()).operation, operation, `${method} ${path}`);
    }
    // GET /api/agents/worlds is answered by GET /api/agents/{agentId}, mounted first.
    assertElizaError(await call(`${emu.url}/api/agents/worlds`), 400, 'INVALID_ID', 'Invalid agent ID format');
    assert.equal((await lastEntry()).operation, 'GetAgent');
  });

  test('a scenario can answer one until it is emulated', async () => {
    const scenario = {
      name: 'ping-stub',
      rules: [{ name: 'pong', match: { vendor: 'rest', operation: 'Ping' }, respond: { status: 200, body: { pong: true, timestamp: 1 } } }],
    };
    assert.equal((await call(`${emu.url}/_emulator/scenarios/ping-stub`, { method: 'PUT', json: scenario })).status, 200);
    const response = await call(`${emu.url}/api/server/ping`);
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.json, { pong: true, timestamp: 1 });
  });

  test('GET /_emulator/operations lists every route of both profiles once, with emulated', async () => {
    const response = await call(`${emu.url}/_emulator/operations?vendor=rest`);
    assert.equal(response.status, 200, response.text);
    const operations = response.json.operations;
    const routes = operations.map((op) => `${op.plane} ${op.method} ${op.route}`);
    assert.equal(new Set(routes).size, routes.length, 'a route is listed twice');
    const docs = operations.filter((op) => op.plane === 'docs');
    assert.equal(docs.length, 8);
    assert.ok(docs.every((op) => op.emulated));
    const eliza = operations.filter((op) => op.plane === 'eliza');
    assert.equal(eliza.filter((op) => op.emulated).length, 12);
    assert.ok(eliza.length > 100, `${eliza.length} routes`);
    const logs = eliza.find((op) => op.route === '/api/agents/{agentId}/logs');
    assert.deepEqual(logs.parameters.map((p) => `${p.in}:${p.name}`),
      ['path:agentId', 'query:roomId', 'query:type', 'query:count', 'query:offset', 'query:excludeTypes']);
    const run = eliza.find((op) => op.route === '/api/agents/{agentId}/runs/{runId}');
    assert.equal(run.emulated, false);
    assert.deepEqual(run.parameters.map((p) => p.name), ['agentId', 'runId']);
  });
});

describe('the plugin route handler before the API router: ?agentId=', () => {
  test('once an agent runs, the query must name a running agent, whatever the path', async () => {
    // Eliza runs (fixtures); Bob does not.
    assert.deepEqual((await call(`${emu.url}/api/agents?agentId=${BOB}`)).json,
      { success: false, error: { message: 'Agent not found', code: 'AGENT_NOT_FOUND' } });
    assert.equal((await call(`${emu.url}/api/agents?agentId=${BOB}`)).status, 404);
    const invalid = await call(`${emu.url}/api/nothing?agentId=nope`);
    assert.equal(invalid.status, 400);
    assert.deepEqual(invalid.json, { success: false, error: { message: 'Invalid agent ID format', code: 'INVALID_AGENT_ID' } });
    assertElizaError(await call(`${emu.url}/api/agents?agentId=${ELIZA}&agentId=${ELIZA}`), 400, 'INVALID_AGENT_ID');
    assert.equal((await call(`${emu.url}/api/agents?agentId=${ELIZA}`)).status, 200);
    assert.equal((await call(`${emu.url}/api/agents?agentId=`)).status, 200);
    // No agent running: the handler steps aside.
    await call(`${emu.url}/api/agents/${ELIZA}/stop`, { method: 'POST' });
    assert.equal((await call(`${emu.url}/api/agents?agentId=nope`)).status, 200);
    // The documented profile has no such handler.
    await mergeRest(emu.url, { agents: [{ agentId: ELIZA, status: 'active' }] });
    assert.equal((await call(`${emu.url}/agents?agentId=nope`)).status, 200);
  });
});

test('with an API key, the key is asked before anything else, unknown paths included', async () => {
  const keyed = await startEmulator({ args: ['--fixtures', writeFixture({ rest: { apiKeys: ['k1'] } })] });
  try {
    for (const path of ['/api/nothing', '/api/server/ping', `/api/nothing?agentId=nope`]) {
      const response = await call(`${keyed.url}${path}`);
      assert.equal(response.status, 401, path);
      assert.deepEqual(response.json, { error: 'API key required', message: 'Missing or invalid X-API-KEY header' });
    }
    assert.equal((await call(`${keyed.url}/api/nothing`, { headers: { 'x-api-key': 'k1' } })).status, 404);
    assert.equal((await call(`${keyed.url}/api/server/ping`, { headers: { 'x-api-key': 'k1' } })).status, 501);
  } finally {
    await stopCleanly(keyed);
  }
});
