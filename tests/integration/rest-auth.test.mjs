// API keys: with none in the fixtures no auth is asked for; once the fixtures name keys, the
// documented profile wants Authorization: Bearer <key> and the elizaOS profile X-API-KEY.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { call, startEmulator, stopCleanly } from '../support/emulator.mjs';
import { ELIZA, assertDocsError, mergeRest, resetEmulator, writeFixture } from '../support/rest.mjs';

const fixture = writeFixture({
  rest: {
    apiKeys: ['test-key-1', 'test-key-2'],
    agents: [{ agentId: ELIZA, name: 'Eliza', status: 'active' }],
  },
});

after(() => fs.rmSync(path.dirname(fixture), { recursive: true, force: true }));

describe('auth off (fixtures name no key)', () => {
  let emu;
  before(async () => { emu = await startEmulator(); });
  after(async () => { await stopCleanly(emu); });

  test('no header needed in either profile', async () => {
    assert.equal((await call(`${emu.url}/agents/${ELIZA}`)).status, 200);
    assert.equal((await call(`${emu.url}/api/agents/${ELIZA}`)).status, 200);
    // A key nobody asked for is ignored.
    assert.equal((await call(`${emu.url}/agents`, { headers: { authorization: 'Bearer whatever' } })).status, 200);
  });

  test('keys merged live turn auth on; a reset turns it off again', async () => {
    await mergeRest(emu.url, { apiKeys: ['live-key'] });
    assertDocsError(await call(`${emu.url}/agents`), 401, 'Unauthorized');
    assert.equal((await call(`${emu.url}/agents`, { headers: { authorization: 'Bearer live-key' } })).status, 200);
    await resetEmulator(emu.url);
    assert.equal((await call(`${emu.url}/agents`)).status, 200);
  });
});

describe('auth on (fixtures name keys)', () => {
  let emu;
  before(async () => { emu = await startEmulator({ args: ['--fixtures', fixture] }); });
  after(async () => { await stopCleanly(emu); });

  test('documented profile: Bearer <key>, 401 in the envelope otherwise', async () => {
    const url = `${emu.url}/agents/${ELIZA}`;
    const missing = await call(url);
    assertDocsError(missing, 401, 'Unauthorized');
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
    for (const authorization of ['Bearer nope', 'Basic dGVzdC1rZXktMQ==', 'test-key-1', 'Bearer ', 'Bearer test-key-1x']) {
      assertDocsError(await call(url, { headers: { authorization } }), 401, 'Unauthorized');
    }
    assertDocsError(await call(url, { headers: { 'x-api-key': 'test-key-1' } }), 401, 'Unauthorized');
    for (const authorization of ['Bearer test-key-1', 'bearer test-key-2', 'Bearer  test-key-1']) {
      assert.equal((await call(url, { headers: { authorization } })).status, 200, authorization);
    }
  });

  test('auth comes before validation, and every route is guarded', async () => {
    assertDocsError(await call(`${emu.url}/agents/not-a-uuid`), 401, 'Unauthorized');
    assertDocsError(await call(`${emu.url}/agents/${ELIZA}/stop`, { method: 'POST', json: { timeout: -1 } }), 401, 'Unauthorized');
    assertDocsError(await call(`${emu.url}/agents`, { method: 'POST', json: { name: 'x' } }), 401, 'Unauthorized');
    assert.equal((await call(`${emu.url}/agents/${ELIZA}`)).status, 401);
    const headers = { authorization: 'Bearer test-key-1' };
    const stopped = await call(`${emu.url}/agents/${ELIZA}/stop`, { method: 'POST', headers, json: { graceful: false } });
    assert.equal(stopped.status, 200, stopped.text);
    const journal = await call(`${emu.url}/_emulator/requests?status=401`);
    assert.ok(journal.json.requests.every((r) => r.vendor === 'rest' && r.errorCode === 'Unauthorized'));
  });

  test('elizaOS profile: X-API-KEY, the middleware\'s bare 401 otherwise', async () => {
    const url = `${emu.url}/api/agents`;
    for (const headers of [{}, { 'x-api-key': 'nope' }, { authorization: 'Bearer test-key-1' }]) {
      const response = await call(url, { headers });
      assert.equal(response.status, 401);
      assert.deepEqual(response.json, { error: 'API key required', message: 'Missing or invalid X-API-KEY header' });
    }
    const ok = await call(url, { headers: { 'X-API-KEY': 'test-key-2' } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.data.agents[0].id, ELIZA);
  });
});

describe('--auth lenient', () => {
  let emu;
  before(async () => { emu = await startEmulator({ args: ['--fixtures', fixture, '--auth', 'lenient'] }); });
  after(async () => { await stopCleanly(emu); });

  test('any key passes, but one must be sent', async () => {
    assert.equal((await call(`${emu.url}/agents`, { headers: { authorization: 'Bearer anything' } })).status, 200);
    assert.equal((await call(`${emu.url}/api/agents`, { headers: { 'x-api-key': 'anything' } })).status, 200);
    assertDocsError(await call(`${emu.url}/agents`), 401, 'Unauthorized');
  });
});
