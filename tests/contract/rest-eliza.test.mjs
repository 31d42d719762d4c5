// The elizaOS server profile through the real clients, pinned in tests/package.json:
// @elizaos/api-client against /api/agents, and @elizaos/core's own validateCharacter as the
// oracle for CREATE_ERROR texts. The expected texts are computed here from the installed core,
// formatted as @elizaos/server 1.7.2's jsonToCharacter formats them, so a newer core shows where
// its schema or zod's words moved.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, ElizaClient } from '@elizaos/api-client';
import { stringToUuid, validateCharacter } from '@elizaos/core';
import { startEmulator, stopCleanly } from '../support/emulator.mjs';
import { resetEmulator } from '../support/rest.mjs';

let emu;
let client;
before(async () => {
  emu = await startEmulator();
  client = ElizaClient.create({ baseUrl: emu.url });
});
after(async () => { await stopCleanly(emu); });
beforeEach(async () => { await resetEmulator(emu.url); });

/** @elizaos/server's jsonToCharacter: every zod issue as "path: message", joined by "; ". */
function serverText(character) {
  const result = validateCharacter(character);
  if (result.success) return null;
  const issues = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  return `Character validation failed: ${issues}`;
}

/** The ApiError an api-client call throws (fails the test when it resolves). */
async function rejection(promise) {
  try {
    const value = await promise;
    assert.fail(`expected a rejection, got ${JSON.stringify(value)}`);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return error;
  }
}

describe('CREATE_ERROR texts, checked against @elizaos/core validateCharacter', () => {
  // The issue's table first, then every kind of node the schema has.
  const invalid = [
    { name: 'X1' },
    { name: 'X2', bio: 'b', lore: [] },
    { name: 'X3', bio: 'b', lore: [], foo: 1 },
    { name: 'X7', bio: 'b', id: 'nope' },
    {},
    { name: 5, bio: 5 },
    { name: 'X8', bio: 'b', settings: { a: null } },
    { name: '', bio: 'b' },
    { name: '', bio: [1, 'a', 2] },
    { lore: [], bio: 'b' },
    { name: 'a', bio: 'b', 'a"b': 1, 'c.d': 2 },
    { name: 'a', bio: 'b', username: null, system: 4 },
    { name: 'a', bio: 'b', topics: [1], adjectives: 'x', postExamples: [true], plugins: {} },
    { name: 'a', bio: 'b', style: [] },
    { name: 'a', bio: 'b', style: null },
    { name: 'a', bio: 'b', style: { all: [1], chat: 'x', zz: 1 } },
    { name: 'a', bio: 'b', settings: 5 },
    { name: 'a', bio: 'b', settings: [] },
    { name: 'a', bio: 'b', settings: { 'x.y': null, ok: 'y', n: 1, t: true, o: {}, l: [] } },
    { name: 'a', bio: 'b', secrets: { a: [], b: {}, c: 'ok' } },
    { name: 'a', bio: 'b', templates: { a: 1, b: 'ok', c: null } },
    { name: 'a', bio: 'b', knowledge: [1, { path: 1 }, {}, { path: 'p', shared: 'x' }, 'ok', { directory: 'd' }] },
    { name: 'a', bio: 'b', knowledge: 'x' },
    { name: 'a', bio: 'b', messageExamples: [{}] },
    { name: 'a', bio: 'b', messageExamples: [[{ name: 1 }]] },
    { name: 'a', bio: 'b', messageExamples: [[{ name: 'n', content: { attachments: [{}] } }]] },
    {
      name: 'a', bio: 'b', messageExamples: [[{
        name: 'n',
        content: {
          attachments: [{ id: 'i', url: 'u', contentType: 'x' }], channelType: 'q', inReplyTo: 'z', actions: [1],
          providers: 'p', text: 1, thought: null, source: 1, target: [], url: {},
        },
      }]],
    },
    { name: 'a', bio: 'b', id: '550e8400-e29b-41d4-a716-44665544000' },
    'x',
    [1],
    42,
    true,
  ];
  for (const character of invalid) {
    test(JSON.stringify(character), async () => {
      const expected = serverText(character);
      assert.ok(expected, 'the case is invalid for @elizaos/core');
      const error = await rejection(client.agents.createAgent({ characterJson: character }));
      assert.equal(error.status, 400);
      assert.equal(error.code, 'CREATE_ERROR');
      assert.equal(error.message, expected);
      assert.equal(error.details, expected);
    });
  }

  // Valid characters: 201, and the character zod returns (keys in the schema's order, unknown
  // members of nested objects dropped), with jsonToCharacter's id.
  const valid = [
    { plugins: [], bio: 'b', style: { zz: 1, all: ['x'] }, name: 'Valid One', settings: { b: 1, a: { q: null } } },
    {
      name: 'Valid Two', bio: [], templates: { a: 'x' }, secrets: { k: 1, t: true, s: 's' },
      knowledge: ['f', { path: 'p', x: 1 }, { directory: 'd', shared: true, zz: 2 }],
      messageExamples: [[{ name: 'n', foo: 2, content: { text: 't', extra: 1, attachments: [{ id: 'i', url: 'u', zz: 1 }] } }]],
    },
    { id: '550E8400-E29B-41D4-A716-446655440099', name: 'Valid Three', bio: 'b', username: 'u', system: 's' },
  ];
  for (const character of valid) {
    test(`valid: ${character.name}`, async () => {
      const result = validateCharacter(character);
      assert.equal(result.success, true);
      const created = await client.agents.createAgent({ characterJson: character });
      const id = character.id ?? stringToUuid(character.name);
      assert.equal(created.id, id.toLowerCase());
      const expected = character.id ? result.data : { ...result.data, id };
      assert.equal(JSON.stringify(created.character), JSON.stringify(expected));
    });
  }

  test('the same rules hold for an "agent" body', async () => {
    const character = { name: 'X1' };
    const error = await rejection(client.agents.createAgent({ agent: character }));
    assert.equal(error.message, serverText(character));
  });
});
