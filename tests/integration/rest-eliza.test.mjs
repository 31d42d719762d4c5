// The second profile: the elizaOS server's own /api/agents contract (packages/server), over the
// same agent store as the documented /agents profile.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startEmulator, stopCleanly } from '../support/emulator.mjs';
import { BOB, ELIZA, UNKNOWN, assertElizaError, resetEmulator } from '../support/rest.mjs';

let emu;
before(async () => { emu = await startEmulator(); });
after(async () => { await stopCleanly(emu); });
beforeEach(async () => { await resetEmulator(emu.url); });

const api = (suffix = '') => `${emu.url}/api/agents${suffix}`;

describe('life cycle', () => {
  test('create from characterJson, get, patch, start (idempotent), stop, delete (204)', async () => {
    const character = {
      name: 'Ada Lovelace', bio: ['Counts things', 'Writes programs'], topics: ['math'],
      settings: { model: 'gpt-4', voice: { model: 'en_US-female' } }, plugins: ['@elizaos/plugin-sql'],
    };
    const created = await call(api(), { method: 'POST', json: { characterJson: character } });
    assert.equal(created.status, 201, created.text);
    // stringToUuid("Ada Lovelace"): SHA-1 of the encoded name, as elizaOS derives ids.
    const id = '3f5ac76d-9ae6-01d4-b7ab-ec1818629c85';
    assert.deepEqual(created.json, { success: true, data: { id, character: { id, ...character } } });

    const got = await call(api(`/${id}`));
    assert.equal(got.status, 200, got.text);
    const row = got.json.data;
    assert.equal(got.json.success, true);
    assert.equal(row.id, id);
    assert.equal(row.name, 'Ada Lovelace');
    assert.equal(row.status, 'inactive');
    assert.equal(row.enabled, true);
    assert.equal(row.server_id, null);
    assert.equal(row.username, '');
    assert.deepEqual(row.bio, ['Counts things', 'Writes programs']);
    assert.deepEqual(row.postExamples, []);
    assert.deepEqual(row.knowledge, []);
    assert.ok(Number.isInteger(row.createdAt) && Number.isInteger(row.updatedAt));
    assert.equal('system' in row, false, 'an empty system prompt is left out');

    // Creating the same name again keeps the existing agent and still answers 201.
    const again = await call(api(), { method: 'POST', json: { characterJson: { ...character, bio: 'changed' } } });
    assert.equal(again.status, 201);
    assert.deepEqual((await call(api(`/${id}`))).json.data.bio, ['Counts things', 'Writes programs']);

    const patched = await call(api(`/${id}`), {
      method: 'PATCH', json: { system: 'Be brief.', settings: { voice: { model: null }, secretsRef: 'x' }, unknownKey: 1 },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.json.data.system, 'Be brief.');
    assert.deepEqual(patched.json.data.settings, { model: 'gpt-4', voice: {}, secretsRef: 'x' });
    assert.ok(patched.json.data.updatedAt >= row.updatedAt);

    for (let i = 0; i < 2; i += 1) {
      const started = await call(api(`/${id}/start`), { method: 'POST' });
      assert.equal(started.status, 200, started.text);
      assert.deepEqual(started.json, { success: true, data: { id, name: 'Ada Lovelace', status: 'active' } });
    }
    const stopped = await call(api(`/${id}/stop`), { method: 'POST' });
    assert.equal(stopped.status, 200, stopped.text);
    assert.deepEqual(stopped.json, { success: true, data: { message: 'Agent stopped' } });
    assertElizaError(await call(api(`/${id}/stop`), { method: 'POST' }), 404, 'NOT_FOUND', 'Agent not found');

    const deleted = await call(api(`/${id}`), { method: 'DELETE' });
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');
    assert.equal(deleted.headers.get('content-type'), null);
    assertElizaError(await call(api(`/${id}`), { method: 'DELETE' }), 404, 'NOT_FOUND', 'Agent not found');
    assertElizaError(await call(api(`/${id}`)), 404, 'NOT_FOUND', 'Agent not found');
  });

  test('create from "agent", with a given id; a running agent can be deleted', async () => {
    const id = 'a1b2c3d4-0000-4000-8000-00000000abcd';
    const created = await call(api(), { method: 'POST', json: { agent: { id, name: 'Given', bio: 'has an id' } } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.data.id, id);
    await call(api(`/${id}/start`), { method: 'POST' });
    assert.equal((await call(api(`/${id}`), { method: 'DELETE' })).status, 204);
  });

  test('the list: {agents:[...]}, active first, then by name; bio is bio[0]', async () => {
    const aaron = await call(api(), { method: 'POST', json: { characterJson: { name: 'aaron', bio: ['first line', 'second'] } } });
    const list = await call(api());
    assert.equal(list.status, 200);
    assert.deepEqual(list.json, {
      success: true,
      data: {
        agents: [
          // The server indexes bio: a string's first character, an array's first entry.
          { id: ELIZA, name: 'Eliza', characterName: 'Eliza', bio: 'A', status: 'active' },
          { id: aaron.json.data.id, name: 'aaron', characterName: 'aaron', bio: 'first line', status: 'inactive' },
          { id: BOB, name: 'Bob', characterName: 'Bob', bio: 'A', status: 'inactive' },
        ],
      },
    });
  });

  test('one store, two skins', async () => {
    const created = await call(`${emu.url}/agents`, { method: 'POST', json: { name: 'Shared' } });
    const id = created.json.data.agentId;
    assert.equal((await call(api(`/${id}`))).json.data.name, 'Shared');
    await call(api(`/${id}/start`), { method: 'POST' });
    assert.equal((await call(`${emu.url}/agents/${id}`)).json.data.status, 'active');
    const stopped = await call(`${emu.url}/agents/${id}/stop`, { method: 'POST', json: {} });
    assert.equal(stopped.status, 200);
    assertElizaError(await call(api(`/${id}/stop`), { method: 'POST' }), 404, 'NOT_FOUND');
    assert.equal((await call(api(`/${id}`), { method: 'DELETE' })).status, 204);
    assert.equal((await call(`${emu.url}/agents/${id}`)).status, 404);
  });
});

describe('errors', () => {
  test('INVALID_ID: 400 on every route with an id', async () => {
    for (const [method, suffix] of [['GET', ''], ['PATCH', ''], ['DELETE', ''], ['POST', '/start'], ['POST', '/stop']]) {
      const init = { method };
      if (method === 'PATCH') init.json = {};
      assertElizaError(await call(api(`/not-a-uuid${suffix}`), init), 400, 'INVALID_ID', 'Invalid agent ID format');
    }
  });

  test('NOT_FOUND for unknown agents; stop also for stopped ones', async () => {
    assertElizaError(await call(api(`/${UNKNOWN}`)), 404, 'NOT_FOUND', 'Agent not found');
    assertElizaError(await call(api(`/${UNKNOWN}/start`), { method: 'POST' }), 404, 'NOT_FOUND', 'Agent not found');
    assertElizaError(await call(api(`/${UNKNOWN}/stop`), { method: 'POST' }), 404, 'NOT_FOUND', 'Agent not found');
    assertElizaError(await call(api(`/${BOB}/stop`), { method: 'POST' }), 404, 'NOT_FOUND', 'Agent not found');
  });

  test('PATCH of an unknown agent answers 200 with a bare status, as the server does', async () => {
    const response = await call(api(`/${UNKNOWN}`), { method: 'PATCH', json: { name: 'ghost' } });
    assert.equal(response.status, 200);
    assert.deepEqual(response.json, { success: true, data: { status: 'inactive' } });
  });

  test('CREATE_ERROR: 400 with the message in details, every issue joined as the server joins them', async () => {
    const failed = 'Character validation failed: ';
    const cases = [
      [{ name: 'flat' }, 'No character configuration provided'],
      [{ characterJson: null, agent: 0 }, 'No character configuration provided'],
      [{ characterJson: {} }, `${failed}name: Invalid input: expected string, received undefined; bio: Invalid input`],
      [{ characterJson: { name: '', bio: 'x' } }, `${failed}name: Character name is required`],
      [{ characterJson: { name: 'x' } }, `${failed}bio: Invalid input`],
      [{ characterJson: { name: 5, bio: 5 } }, `${failed}name: Invalid input: expected string, received number; bio: Invalid input`],
      [{ characterJson: { name: 'x', bio: 'y', lore: [] } }, `${failed}: Unrecognized key: "lore"`],
      [{ characterJson: { name: 'x', bio: 'y', lore: [], enabled: true } }, `${failed}: Unrecognized keys: "lore", "enabled"`],
      [{ characterJson: { name: 'x', bio: 'y', topics: [1] } }, `${failed}topics.0: Invalid input: expected string, received number`],
      [{ characterJson: { name: 'x', bio: 'y', id: 'nope' } }, `${failed}id: Invalid UUID format`],
      [{ characterJson: { name: 'x', bio: 'y', settings: { a: null } } }, `${failed}settings.a: Invalid input`],
      [{ characterJson: 'x' }, `${failed}: Invalid input: expected object, received string`],
      [{ characterPath: '/srv/characters/eliza.json' },
        "Character '/srv/characters/eliza.json' not found. Please check if the file exists and the path is correct."],
      [{ characterPath: 'https://example.com/eliza.json' },
        "Failed to fetch character from URL 'https://example.com/eliza.json'. The URL may be incorrect or unavailable."],
    ];
    for (const [json, message] of cases) {
      const response = await call(api(), { method: 'POST', json });
      assertElizaError(response, 400, 'CREATE_ERROR', message);
      assert.equal(response.json.error.details, message);
    }
  });

  test('a created character is what zod returns: the schema\'s key order, nested unknown keys dropped', async () => {
    const created = await call(api(), {
      method: 'POST',
      json: { characterJson: { style: { all: ['x'], zz: 1 }, bio: 'b', name: 'Ordered', topics: ['t'] } },
    });
    assert.equal(created.status, 201, created.text);
    const id = created.json.data.id;
    assert.equal(JSON.stringify(created.json.data.character),
      JSON.stringify({ name: 'Ordered', bio: 'b', topics: ['t'], style: { all: ['x'] }, id }));
    assert.deepEqual((await call(api(`/${id}`))).json.data.style, { all: ['x'] });
  });

  test('PATCH with wrong types: 400 UPDATE_ERROR naming the field in details', async () => {
    const response = await call(api(`/${ELIZA}`), { method: 'PATCH', json: { enabled: 'yes' } });
    assertElizaError(response, 400, 'UPDATE_ERROR', 'Error updating agent');
    assert.equal(response.json.error.details, 'enabled must be a boolean');
    const bio = await call(api(`/${ELIZA}`), { method: 'PATCH', json: { bio: [1] } });
    assert.equal(bio.json.error.details, 'bio must be a string or an array of strings');
  });

  test('INVALID_CONTENT_TYPE, malformed JSON, unknown endpoints', async () => {
    const text = await call(api(), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    assertElizaError(text, 400, 'INVALID_CONTENT_TYPE', 'Invalid or missing Content-Type header');
    const form = await call(api(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' });
    assertElizaError(form, 400, 'CREATE_ERROR', 'No character configuration provided');
    const malformed = await call(api(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"characterJson":' });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json.success, false);
    assert.equal(malformed.json.error.code, 400);
    assert.match(malformed.json.error.message, /^Request body is not valid JSON/);
    for (const [method, suffix] of [['PUT', `/${ELIZA}`], ['POST', `/${ELIZA}/pause`], ['DELETE', ''], ['GET', `/${ELIZA}/stop`]]) {
      const response = await call(api(suffix), { method, json: method === 'GET' || method === 'DELETE' ? undefined : {} });
      assert.equal(response.status, 404, `${method} ${suffix}`);
      assert.deepEqual(response.json, { success: false, error: { message: 'API endpoint not found', code: 404 } });
    }
  });
});
