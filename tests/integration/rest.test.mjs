// The REST agent runtime's documented profile (/agents) over loopback: the whole life cycle,
// every error text and status, and bad input.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, rawExchange, startEmulator, stopCleanly } from '../support/emulator.mjs';
import { BOB, ELIZA, UNKNOWN, assertDocsError, mergeRest, resetEmulator } from '../support/rest.mjs';

let emu;
before(async () => { emu = await startEmulator(); });
after(async () => { await stopCleanly(emu); });
beforeEach(async () => { await resetEmulator(emu.url); });

const agents = (suffix = '') => `${emu.url}/agents${suffix}`;

describe('life cycle', () => {
  test('create, read, update, start, stop, start again, delete', async () => {
    const before = Date.now();
    const created = await call(agents(), {
      method: 'POST',
      json: {
        name: 'Ada', bio: 'Counts things', lore: ['first programmer'], topics: ['math'], adjectives: ['precise'],
        style: { all: ['concise'], chat: [], post: [] }, settings: { model: 'gpt-4' }, plugins: ['@elizaos/plugin-sql'],
        messageExamples: [],
      },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.success, true);
    const { agentId, name, status, createdAt } = created.json.data;
    assert.match(agentId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(name, 'Ada');
    assert.equal(status, 'inactive');
    assert.ok(createdAt >= before - 1000 && createdAt <= Date.now() + 1000, `createdAt ${createdAt} is epoch ms`);

    const got = await call(agents(`/${agentId}`));
    assert.equal(got.status, 200);
    assert.deepEqual(got.json, {
      success: true,
      data: {
        agentId, name: 'Ada', status: 'inactive', bio: 'Counts things', lore: ['first programmer'], topics: ['math'],
        adjectives: ['precise'], style: { all: ['concise'], chat: [], post: [] }, settings: { model: 'gpt-4' },
        plugins: ['@elizaos/plugin-sql'], enabled: true, createdAt, updatedAt: createdAt,
      },
    });

    const patched = await call(agents(`/${agentId}`), { method: 'PATCH', json: { bio: 'Counts everything', enabled: false } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.json.success, true);
    assert.equal(patched.json.data.agentId, agentId);
    assert.equal(patched.json.data.name, 'Ada');
    assert.ok(patched.json.data.updatedAt >= createdAt);
    const put = await call(agents(`/${agentId}`), { method: 'PUT', json: { name: 'Ada L.' } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json.data.name, 'Ada L.');

    const started = await call(agents(`/${agentId}/start`), { method: 'POST', json: { enableAutonomy: true } });
    assert.equal(started.status, 200, started.text);
    assert.equal(started.json.message, 'Agent started successfully');
    assert.equal(started.json.data.agentId, agentId);
    assert.equal(started.json.data.status, 'active');
    assert.equal(started.json.data.enableAutonomy, true);
    assert.ok(Number.isInteger(started.json.data.startedAt));

    const stopped = await call(agents(`/${agentId}/stop`), { method: 'POST', json: {} });
    assert.equal(stopped.status, 200, stopped.text);
    assert.deepEqual(Object.keys(stopped.json).sort(), ['data', 'message', 'success']);
    assert.equal(stopped.json.message, 'Agent stopped successfully');
    assert.equal(stopped.json.data.agentId, agentId);
    assert.equal(stopped.json.data.status, 'inactive');
    assert.ok(stopped.json.data.stoppedAt >= started.json.data.startedAt);

    // Stopping keeps the configuration: the agent reads back the same and starts again.
    const kept = await call(agents(`/${agentId}`));
    assert.equal(kept.json.data.status, 'inactive');
    assert.equal(kept.json.data.bio, 'Counts everything');
    assert.equal(kept.json.data.name, 'Ada L.');
    assert.equal(kept.json.data.enabled, false);
    assert.deepEqual(kept.json.data.lore, ['first programmer']);
    const restarted = await call(agents(`/${agentId}/start`), { method: 'POST' });
    assert.equal(restarted.status, 200, restarted.text);
    assert.equal(restarted.json.data.enableAutonomy, false);
    const stoppedAgain = await call(agents(`/${agentId}/stop`), { method: 'POST', json: { graceful: false } });
    assert.equal(stoppedAgain.status, 200);

    const deleted = await call(agents(`/${agentId}`), { method: 'DELETE' });
    assert.equal(deleted.status, 200, deleted.text);
    assert.equal(deleted.json.message, 'Agent deleted successfully');
    assert.equal(deleted.json.data.agentId, agentId);
    assert.ok(Number.isInteger(deleted.json.data.deletedAt));
    assertDocsError(await call(agents(`/${agentId}`)), 404, 'Agent not found');

    const journal = await call(`${emu.url}/_emulator/requests?vendor=rest`);
    assert.deepEqual(journal.json.requests.map((r) => r.operation), [
      'CreateAgent', 'GetAgent', 'UpdateAgent', 'UpdateAgent', 'StartAgent', 'StopAgent', 'GetAgent', 'StartAgent',
      'StopAgent', 'DeleteAgent', 'GetAgent',
    ]);
  });

  test('the seed example: stop with {} , with no body, non-graceful', async () => {
    const withBody = await call(agents(`/${ELIZA}/stop`), { method: 'POST', json: {} });
    assert.equal(withBody.status, 200, withBody.text);
    assert.equal(withBody.json.data.stoppedAt > 1709683200000, true);
    await call(agents(`/${ELIZA}/start`), { method: 'POST' });
    const noBody = await call(agents(`/${ELIZA}/stop`), { method: 'POST' });
    assert.equal(noBody.status, 200, noBody.text);
    await call(agents(`/${ELIZA}/start`), { method: 'POST', json: {} });
    const forced = await call(agents(`/${ELIZA}/stop`), { method: 'POST', json: { graceful: false } });
    assert.equal(forced.status, 200, forced.text);
    assert.equal(forced.json.data.status, 'inactive');
  });

  test('starting a running agent is idempotent and keeps startedAt', async () => {
    const first = await call(agents(`/${BOB}/start`), { method: 'POST', json: {} });
    const second = await call(agents(`/${BOB}/start`), { method: 'POST', json: {} });
    assert.equal(second.status, 200);
    assert.equal(second.json.data.startedAt, first.json.data.startedAt);
  });

  test('ids are case-insensitive', async () => {
    const got = await call(agents(`/${ELIZA.toUpperCase()}`));
    assert.equal(got.status, 200, got.text);
    assert.equal(got.json.data.agentId, ELIZA);
  });
});

describe('list', () => {
  test('data is an array of agents; status, offset and limit filter it', async () => {
    const all = await call(agents());
    assert.equal(all.status, 200);
    assert.equal(all.json.success, true);
    assert.ok(Array.isArray(all.json.data));
    assert.deepEqual(all.json.data.map((a) => [a.agentId, a.name, a.status]), [
      [ELIZA, 'Eliza', 'active'], [BOB, 'Bob', 'inactive'],
    ]);
    for (const agent of all.json.data) {
      assert.equal(typeof agent.enabled, 'boolean');
      assert.ok(Number.isInteger(agent.createdAt) && Number.isInteger(agent.updatedAt));
    }
    const active = await call(agents('?status=active'));
    assert.deepEqual(active.json.data.map((a) => a.agentId), [ELIZA]);
    const inactive = await call(agents('?status=inactive'));
    assert.deepEqual(inactive.json.data.map((a) => a.agentId), [BOB]);

    const ids = [];
    for (let i = 0; i < 5; i += 1) {
      const created = await call(agents(), { method: 'POST', json: { name: `Agent ${i}` } });
      ids.push(created.json.data.agentId);
    }
    const page = await call(agents('?offset=3&limit=2'));
    assert.deepEqual(page.json.data.map((a) => a.agentId), [ids[1], ids[2]]);
    const tail = await call(agents('?offset=6&limit=50'));
    assert.deepEqual(tail.json.data.map((a) => a.agentId), [ids[4]]);
    const beyond = await call(agents('?offset=100'));
    assert.deepEqual(beyond.json.data, []);
  });

  test('bad filters are 400s naming the parameter', async () => {
    assertDocsError(await call(agents('?status=running')), 400, 'status must be one of: active, inactive');
    assertDocsError(await call(agents('?offset=-1')), 400, 'offset must be greater than or equal to 0');
    assertDocsError(await call(agents('?offset=abc')), 400, 'offset must be an integer');
    assertDocsError(await call(agents('?limit=0')), 400, 'limit must be greater than or equal to 1');
    assertDocsError(await call(agents('?limit=1000000')), 400, 'limit must be less than or equal to 1000');
    assertDocsError(await call(agents('?limit=1.5')), 400, 'limit must be an integer');
    assertDocsError(await call(agents('?status=%zz')), 400, 'The query string is not valid percent-encoding');
  });
});

describe('errors of the stop route', () => {
  test('Agent not found: 404', async () => {
    assertDocsError(await call(agents(`/${UNKNOWN}/stop`), { method: 'POST', json: {} }), 404, 'Agent not found');
  });

  test('Agent is not running: 409', async () => {
    assertDocsError(await call(agents(`/${BOB}/stop`), { method: 'POST', json: {} }), 409, 'Agent is not running');
  });

  test('Failed to stop agent runtime: 500, and the agent stays active', async () => {
    await mergeRest(emu.url, { agents: [{ agentId: ELIZA, stopFails: true }] });
    for (const graceful of [true, false]) {
      assertDocsError(await call(agents(`/${ELIZA}/stop`), { method: 'POST', json: { graceful } }), 500,
        'Failed to stop agent runtime');
    }
    assert.equal((await call(agents(`/${ELIZA}`))).json.data.status, 'active');
    const journal = await call(`${emu.url}/_emulator/requests?operation=StopAgent&status=500`);
    assert.equal(journal.json.requests.length, 2);
    assert.equal(journal.json.requests[0].errorCode, 'Failed to stop agent runtime');
  });

  test('Graceful shutdown timed out: 408 (timeout 0 while work is in progress)', async () => {
    await mergeRest(emu.url, { agents: [{ agentId: ELIZA, busyMs: 60000 }] });
    assertDocsError(await call(agents(`/${ELIZA}/stop`), { method: 'POST', json: { timeout: 0 } }), 408,
      'Graceful shutdown timed out');
    assert.equal((await call(agents(`/${ELIZA}`))).json.data.status, 'active');
  });
});

describe('bad input', () => {
  test('non-UUID ids are 400 on every route', async () => {
    for (const [method, suffix] of [['GET', ''], ['PATCH', ''], ['PUT', ''], ['DELETE', ''], ['POST', '/start'], ['POST', '/stop']]) {
      const init = { method };
      if (method !== 'GET' && method !== 'DELETE') init.json = {};
      assertDocsError(await call(agents(`/not-a-uuid${suffix}`), init), 400, 'Invalid agent ID format');
      assertDocsError(await call(agents(`/550e8400-e29b-41d4-a716-44665544000${suffix}`), init), 400, 'Invalid agent ID format');
    }
  });

  test('stop body: wrong types and absurd timeouts name the field', async () => {
    const cases = [
      [{ graceful: 'true' }, 'graceful must be a boolean'],
      [{ graceful: 1 }, 'graceful must be a boolean'],
      [{ timeout: '30000' }, 'timeout must be a number'],
      [{ timeout: null, graceful: [] }, 'graceful must be a boolean'],
      [{ timeout: -1 }, 'timeout must be greater than or equal to 0'],
      [{ timeout: 1e12 }, 'timeout must be less than or equal to 3600000'],
    ];
    for (const [json, error] of cases) {
      assertDocsError(await call(agents(`/${ELIZA}/stop`), { method: 'POST', json }), 400, error);
    }
    assert.equal((await call(agents(`/${ELIZA}`))).json.data.status, 'active');
  });

  test('malformed JSON, non-object bodies and other content types', async () => {
    const headers = { 'content-type': 'application/json' };
    const malformed = await call(agents(`/${ELIZA}/stop`), { method: 'POST', headers, body: '{"graceful": tru' });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json.success, false);
    assert.match(malformed.json.error, /^Request body is not valid JSON: .+ \(line 1, column \d+\)$/);
    for (const body of ['[]', '"stop"', '42', 'null']) {
      assertDocsError(await call(agents(`/${ELIZA}/stop`), { method: 'POST', headers, body }), 400,
        'Request body must be a JSON object');
    }
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonx']) {
      assertDocsError(await call(agents(`/${ELIZA}/stop`), { method: 'POST', headers: { 'content-type': type }, body: '{}' }),
        400, 'Content-Type must be application/json');
    }
    const missing = await rawExchange(emu.port,
      `POST /agents/${ELIZA}/stop HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
    assert.match(missing.data, /^HTTP\/1\.1 400/);
    assert.match(missing.data, /"error":"Content-Type must be application\/json"/);
    const charset = await call(agents(`/${ELIZA}/stop`), {
      method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"graceful":false}',
    });
    assert.equal(charset.status, 200, charset.text);
  });

  test('create and update bodies', async () => {
    const cases = [
      [{}, 'name is required'],
      [{ name: '' }, 'name must have at least 1 characters'],
      [{ name: 7 }, 'name must be a string'],
      [{ name: 'x', bio: ['a'] }, 'bio must be a string'],
      [{ name: 'x', lore: 'a' }, 'lore must be an array'],
      [{ name: 'x', topics: [1] }, 'topics[0] must be a string'],
      [{ name: 'x', style: { all: 'x' } }, 'style.all must be an array'],
      [{ name: 'x', settings: { model: 4 } }, 'settings.model must be a string'],
      [{ name: 'x', plugins: {} }, 'plugins must be an array'],
    ];
    for (const [json, error] of cases) {
      assertDocsError(await call(agents(), { method: 'POST', json }), 400, error);
    }
    assertDocsError(await call(agents(`/${ELIZA}`), { method: 'PATCH', json: { enabled: 'no' } }), 400, 'enabled must be a boolean');
    assertDocsError(await call(agents(`/${ELIZA}`), { method: 'PUT', json: { name: '' } }), 400, 'name must have at least 1 characters');
    assertDocsError(await call(agents(`/${UNKNOWN}`), { method: 'PATCH', json: { name: 'x' } }), 404, 'Agent not found');
    assertDocsError(await call(agents(`/${ELIZA}/start`), { method: 'POST', json: { enableAutonomy: 'yes' } }), 400,
      'enableAutonomy must be a boolean');
    assertDocsError(await call(agents(`/${UNKNOWN}/start`), { method: 'POST', json: {} }), 404, 'Agent not found');
    assertDocsError(await call(agents(`/${UNKNOWN}`), { method: 'DELETE' }), 404, 'Agent not found');
    const list = await call(agents());
    assert.equal(list.json.data.length, 2, 'nothing was created by the bad requests');
  });

  test('unknown routes and methods under /agents', async () => {
    assertDocsError(await call(agents(`/${ELIZA}/pause`), { method: 'POST', json: {} }), 404, 'Not found');
    assertDocsError(await call(agents(`/${ELIZA}/stop`)), 404, 'Not found');
    assertDocsError(await call(agents(), { method: 'DELETE' }), 404, 'Not found');
  });

  test('an oversized or binary body never crashes the server', async () => {
    const big = `{"name":"${'x'.repeat(200000)}"}`;
    const response = await call(agents(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    assert.ok([201, 400, 413].includes(response.status), `status ${response.status}`);
    const binary = await call(agents(`/${ELIZA}/stop`), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from([0xff, 0xfe, 0x00, 0x7b]),
    });
    assert.equal(binary.status, 400);
    const health = await call(`${emu.url}/_emulator/health`);
    assert.equal(health.status, 200);
  });
});
