// The elizaOS profile's routes that ask an agent's running runtime: worlds, panels and logs
// (packages/server api/agents/worlds.ts, panels.ts, logs.ts), with the logs the life cycle of
// both profiles writes.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startEmulator, stopCleanly } from '../support/emulator.mjs';
import { BOB, ELIZA, UNKNOWN, assertElizaError, mergeRest, resetEmulator, restState, setClock } from '../support/rest.mjs';

let emu;
before(async () => { emu = await startEmulator(); });
after(async () => { await stopCleanly(emu); });
beforeEach(async () => { await resetEmulator(emu.url); });

const api = (suffix = '') => `${emu.url}/api/agents${suffix}`;
const WORLD = '11111111-2222-4333-8444-555555555555';
const SERVER = '00000000-0000-0000-0000-000000000000';

const logsOf = async (id = ELIZA, query = '') => {
  const response = await call(api(`/${id}/logs${query}`));
  assert.equal(response.status, 200, response.text);
  assert.equal(response.json.success, true);
  return response.json.data;
};

describe('every runtime route needs the agent running', () => {
  test('404 NOT_FOUND for a stopped or unknown agent; INVALID_ID in each route\'s words', async () => {
    const routes = [
      ['POST', '/worlds', { name: 'w' }],
      ['PATCH', `/worlds/${WORLD}`, {}],
      ['GET', '/panels'],
      ['GET', '/logs'],
      ['DELETE', `/logs/${WORLD}`],
    ];
    for (const id of [BOB, UNKNOWN]) {
      for (const [method, suffix, json] of routes) {
        assertElizaError(await call(api(`/${id}${suffix}`), { method, json }), 404, 'NOT_FOUND', 'Agent not found');
      }
    }
    assertElizaError(await call(api('/nope/worlds'), { method: 'POST', json: {} }), 400, 'INVALID_ID', 'Invalid agent ID format');
    assertElizaError(await call(api(`/${ELIZA}/worlds/nope`), { method: 'PATCH', json: {} }), 400, 'INVALID_ID',
      'Invalid agent ID or world ID format');
    assertElizaError(await call(api(`/nope/worlds/${WORLD}`), { method: 'PATCH', json: {} }), 400, 'INVALID_ID',
      'Invalid agent ID or world ID format');
    assertElizaError(await call(api('/nope/panels')), 400, 'INVALID_ID', 'Invalid agent ID format');
    assertElizaError(await call(api('/nope/logs')), 400, 'INVALID_ID', 'Invalid agent ID format');
    assertElizaError(await call(api(`/${ELIZA}/logs/nope`), { method: 'DELETE' }), 400, 'INVALID_ID',
      'Invalid agent or log ID format');
    // The server checks the ids before it looks for a runtime.
    assertElizaError(await call(api(`/${BOB}/logs/nope`), { method: 'DELETE' }), 400, 'INVALID_ID');
  });
});

describe('worlds', () => {
  test('create: name required, after the runtime check; the row as plugin-sql returns it', async () => {
    assertElizaError(await call(api(`/${ELIZA}/worlds`), { method: 'POST', json: { worldId: WORLD } }), 400,
      'BAD_REQUEST', 'World name is required');
    assertElizaError(await call(api(`/${ELIZA}/worlds`), { method: 'POST', json: { name: '' } }), 400,
      'BAD_REQUEST', 'World name is required');
    assertElizaError(await call(api(`/${BOB}/worlds`), { method: 'POST', json: {} }), 404, 'NOT_FOUND');

    const created = await call(api(`/${ELIZA}/worlds`), {
      method: 'POST', json: { name: 'Lobby', messageServerId: SERVER, metadata: { a: 1, b: { c: 2 } } },
    });
    assert.equal(created.status, 201, created.text);
    const world = created.json.data.world;
    assert.equal(JSON.stringify(Object.keys(world)), '["id","agentId","name","metadata","messageServerId","createdAt"]');
    assert.equal(world.agentId, ELIZA);
    assert.equal(world.name, 'Lobby');
    assert.deepEqual(world.metadata, { a: 1, b: { c: 2 } });
    assert.equal(world.messageServerId, SERVER);
    assert.match(world.id, /^[0-9a-f]{8}-[0-9a-f]{4}-0[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const state = (await restState(emu.url)).agents.find((a) => a.agentId === ELIZA);
    assert.deepEqual(state.worlds, [{
      id: world.id, name: 'Lobby', metadata: { a: 1, b: { c: 2 } }, messageServerId: SERVER,
      createdAt: Date.parse(world.createdAt),
    }]);
  });

  test('a messageServerId that is no UUID: the database refuses it (400 here, 500 on the server)', async () => {
    const response = await call(api(`/${ELIZA}/worlds`), { method: 'POST', json: { name: 'w', messageServerId: 'x' } });
    assertElizaError(response, 400, '500', 'Error creating world');
    assert.equal(response.json.error.details, 'invalid input syntax for type uuid: "x"');
    // Falsy is left out, as `messageServerId || undefined` does.
    const ok = await call(api(`/${ELIZA}/worlds`), { method: 'POST', json: { name: 'w', messageServerId: '' } });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.json.data.world.messageServerId, null);
  });

  test('update: name and metadata only; metadata merges shallowly; null name is refused', async () => {
    await mergeRest(emu.url, {
      agents: [{ agentId: ELIZA, worlds: [{ id: WORLD, name: 'Old', metadata: { a: 1, b: { c: 2 } }, createdAt: 1700000000000 }] }],
    });
    const url = api(`/${ELIZA}/worlds/${WORLD}`);
    const same = await call(url, { method: 'PATCH', json: { settings: { theme: 'dark' } } });
    assert.equal(same.status, 200, same.text);
    assert.deepEqual(same.json, {
      success: true,
      data: { world: { id: WORLD, agentId: ELIZA, name: 'Old', metadata: { a: 1, b: { c: 2 } }, messageServerId: null,
        createdAt: '2023-11-14T22:13:20.000Z' } },
    });
    const renamed = await call(url, { method: 'PATCH', json: { name: 'New', metadata: { b: 3, d: 4 } } });
    assert.equal(renamed.json.data.world.name, 'New');
    assert.deepEqual(renamed.json.data.world.metadata, { a: 1, b: 3, d: 4 });

    const refused = await call(url, { method: 'PATCH', json: { name: null } });
    assertElizaError(refused, 400, '500', 'Error updating world');
    assert.match(refused.json.error.details, /violates not-null constraint/);
    assertElizaError(await call(api(`/${ELIZA}/worlds/${SERVER}`), { method: 'PATCH', json: {} }), 404, 'NOT_FOUND',
      'World not found');
    // Worlds are the agent's: another running agent does not see them.
    await call(api(`/${BOB}/start`), { method: 'POST' });
    assertElizaError(await call(api(`/${BOB}/worlds/${WORLD}`), { method: 'PATCH', json: {} }), 404, 'NOT_FOUND',
      'World not found');
  });

  test('worlds go with their agent; at most 100 per agent', async () => {
    const created = await call(api(), { method: 'POST', json: { characterJson: { name: 'Worldly', bio: 'b' } } });
    const id = created.json.data.id;
    await call(api(`/${id}/start`), { method: 'POST' });
    const worlds = Array.from({ length: 100 }, (_, i) => ({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, name: `w${i}` }));
    await mergeRest(emu.url, { agents: [{ agentId: id, worlds }] });
    await setClock(emu.url, 1);  // a new millisecond: a new world id
    const full = await call(api(`/${id}/worlds`), { method: 'POST', json: { name: 'one more' } });
    assertElizaError(full, 429, 'RATE_LIMIT_EXCEEDED');
    assert.equal((await call(api(`/${id}`), { method: 'DELETE' })).status, 204);
    await call(api(), { method: 'POST', json: { characterJson: { name: 'Worldly', bio: 'b' } } });
    assert.equal((await restState(emu.url)).agents.find((a) => a.agentId === id).worlds, undefined);
  });
});

describe('panels', () => {
  test('none without plugins; fixtures name them; the path as the server builds it', async () => {
    assert.deepEqual((await call(api(`/${ELIZA}/panels`))).json, { success: true, data: [] });
    await mergeRest(emu.url, { agents: [{ agentId: ELIZA, panels: [{ name: 'Knowledge', path: '/display' }, { name: 'Stats', path: 'stats' }] }] });
    assert.deepEqual((await call(api(`/${ELIZA}/panels`))).json, {
      success: true,
      data: [
        { name: 'Knowledge', path: `/api/agents/${ELIZA}/plugins/display?agentId=${ELIZA}` },
        { name: 'Stats', path: `/api/agents/${ELIZA}/plugins/stats?agentId=${ELIZA}` },
      ],
    });
    const bad = await call(`${emu.url}/_emulator/state`, { method: 'POST', json: { rest: { agents: [{ agentId: ELIZA, panels: [{ name: 'x' }] }] } } });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /\/rest\/agents\/0\/panels\/0/);
  });
});

describe('logs', () => {
  test('the life cycle logs starts and stops of both profiles, newest first', async () => {
    await call(api(`/${BOB}/start`), { method: 'POST' });
    await setClock(emu.url, 1);
    await call(`${emu.url}/agents/${BOB}/stop`, { method: 'POST', json: { graceful: false } });
    await setClock(emu.url, 2);
    await call(`${emu.url}/agents/${BOB}/start`, { method: 'POST' });
    const logs = await logsOf(ELIZA);  // every agent's rows: the logs table has no agent column
    assert.deepEqual(logs.map((log) => log.body.event), ['started', 'stopped', 'started']);
    for (const log of logs) {
      assert.equal(JSON.stringify(Object.keys(log)), '["id","createdAt","entityId","body","type","roomId"]');
      assert.equal(log.type, 'agent_event');
      assert.equal(log.entityId, BOB);
      assert.equal(log.roomId, BOB);
      assert.deepEqual(log.body, { event: log.body.event, agentId: BOB, agentName: 'Bob' });
    }
    const times = logs.map((log) => Date.parse(log.createdAt));
    assert.ok(times[0] > times[1] && times[1] > times[2], JSON.stringify(times));
    // Starting a running agent starts no runtime.
    await call(api(`/${BOB}/start`), { method: 'POST' });
    assert.equal((await logsOf(BOB)).length, 3);
  });

  test('failures are logged: a runtime that refuses to stop, a graceful stop that timed out', async () => {
    await mergeRest(emu.url, { agents: [{ agentId: ELIZA, stopFails: true }] });
    assert.equal((await call(`${emu.url}/agents/${ELIZA}/stop`, { method: 'POST', json: { graceful: false } })).status, 500);
    await mergeRest(emu.url, { agents: [{ agentId: ELIZA, stopFails: false, busyMs: 60000 }] });
    assert.equal((await call(`${emu.url}/agents/${ELIZA}/stop`, { method: 'POST', json: { timeout: 0 } })).status, 408);
    const logs = await logsOf(ELIZA);
    assert.deepEqual(logs.map((log) => [log.body.event, log.body.error]), [
      ['stop_timed_out', 'Graceful shutdown timed out'],
      ['stop_failed', 'Failed to stop agent runtime'],
    ]);
  });

  test('type, roomId, count, offset and excludeTypes, as the route reads them', async () => {
    const row = (n, type, extra = {}) => ({
      id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, entityId: ELIZA, roomId: n % 2 ? ELIZA : BOB,
      type, body: { n, ...extra }, createdAt: 1700000000000 + n,
    });
    await mergeRest(emu.url, {
      logs: [row(1, 'action'), row(2, 'useModel:TEXT_LARGE', { modelType: 'TEXT_LARGE' }), row(3, 'action'),
        row(4, 'evaluator'), row(5, 'useModel:TEXT_EMBEDDING', { modelType: 'TEXT_EMBEDDING' })],
    });
    const ns = (logs) => logs.map((log) => log.body.n);
    assert.deepEqual(ns(await logsOf(ELIZA)), [5, 4, 3, 2, 1]);
    assert.deepEqual(ns(await logsOf(ELIZA, '?type=action')), [3, 1]);
    assert.deepEqual(ns(await logsOf(ELIZA, `?roomId=${BOB}`)), [4, 2]);
    assert.deepEqual(ns(await logsOf(ELIZA, '?count=2&offset=1')), [4, 3]);
    assert.deepEqual(ns(await logsOf(ELIZA, '?count=0')), []);
    // Excluded after the query: by type, or by a modelType that contains it, in any case.
    assert.deepEqual(ns(await logsOf(ELIZA, '?excludeTypes=action&excludeTypes=embedding')), [4, 2]);
    assert.deepEqual(ns(await logsOf(ELIZA, '?count=2&excludeTypes=evaluator')), [5]);
    assert.deepEqual(ns(await logsOf(ELIZA, '?excludeTypes=')), [5, 4, 3, 2, 1]);
    assert.equal((await logsOf(ELIZA, '?count=1'))[0].createdAt, '2023-11-14T22:13:20.005Z');

    assertElizaError(await call(api(`/${ELIZA}/logs?roomId=nope`)), 400, 'INVALID_ID', 'Invalid room ID format');
    const negative = await call(api(`/${ELIZA}/logs?count=-1`));
    assertElizaError(negative, 400, 'LOG_ERROR', 'Error retrieving agent logs');
    assert.match(negative.json.error.details, /count/);
    assertElizaError(await call(api(`/${ELIZA}/logs?offset=abc`)), 400, 'LOG_ERROR');
  });

  test('delete: 204 whether or not the row exists; deleting an agent takes its rows', async () => {
    await call(api(`/${BOB}/start`), { method: 'POST' });
    const [log] = await logsOf(ELIZA);
    const deleted = await call(api(`/${ELIZA}/logs/${log.id}`), { method: 'DELETE' });
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');
    assert.deepEqual(await logsOf(ELIZA), []);
    assert.equal((await call(api(`/${ELIZA}/logs/${log.id}`), { method: 'DELETE' })).status, 204);

    await call(api(`/${BOB}/stop`), { method: 'POST' });
    assert.equal((await logsOf(ELIZA)).length, 1);
    assert.equal((await call(api(`/${BOB}`), { method: 'DELETE' })).status, 204);
    assert.deepEqual(await logsOf(ELIZA), []);
  });

  test('GET /_emulator/state keeps the rows; fed back, they restore; reset clears them', async () => {
    await call(api(`/${BOB}/start`), { method: 'POST' });
    const { logs } = await restState(emu.url);
    assert.equal(logs.length, 1);
    assert.deepEqual(Object.keys(logs[0]), ['id', 'entityId', 'roomId', 'type', 'body', 'createdAt']);
    await resetEmulator(emu.url);
    assert.deepEqual((await restState(emu.url)).logs, []);
    await mergeRest(emu.url, { logs });
    const [row] = await logsOf(ELIZA);
    assert.equal(row.id, logs[0].id);
    assert.equal(Date.parse(row.createdAt), logs[0].createdAt);
    const bad = await call(`${emu.url}/_emulator/state`, { method: 'POST', json: { rest: { logs: [{ ...logs[0], level: 'info' }] } } });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /\/rest\/logs\/0\/level/);
  });
});
