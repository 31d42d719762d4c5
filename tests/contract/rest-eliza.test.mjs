// The elizaOS server profile through the real clients, pinned in tests/package.json:
// @elizaos/api-client's services against /api, and @elizaos/core's own validateCharacter as the
// oracle for CREATE_ERROR texts. The expected texts are computed here from the installed core,
// formatted as @elizaos/server 1.7.2's jsonToCharacter formats them, so a newer core shows where
// its schema or zod's words moved.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, ElizaClient } from '@elizaos/api-client';
import { stringToUuid, validateCharacter } from '@elizaos/core';
import { call, startEmulator, stopCleanly } from '../support/emulator.mjs';
import { ELIZA, mergeRest, resetEmulator } from '../support/rest.mjs';

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

/** The newest journal entry of the rest vendor. */
async function lastEntry() {
  const journal = await call(`${emu.url}/_emulator/requests?vendor=rest&limit=1`);
  assert.equal(journal.status, 200, journal.text);
  return journal.json.requests.at(-1);
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

describe('the agents service against /api/agents, every route', () => {
  test('list, create, get, update, start, stop, delete', async () => {
    const created = await client.agents.createAgent({ characterJson: { name: 'Contract', bio: ['first', 'second'] } });
    const id = created.id;
    assert.equal(id, stringToUuid('Contract'));

    const { agents } = await client.agents.listAgents();
    assert.deepEqual(agents.find((a) => a.id === id), { id, name: 'Contract', characterName: 'Contract', bio: 'first', status: 'inactive' });

    const agent = await client.agents.getAgent(id);
    assert.equal(agent.name, 'Contract');
    assert.equal(agent.status, 'inactive');

    const updated = await client.agents.updateAgent(id, { name: 'Contracted', bio: 'one line' });
    assert.equal(updated.name, 'Contracted');
    assert.equal(updated.bio, 'one line');

    assert.deepEqual(await client.agents.startAgent(id), { id, name: 'Contracted', status: 'active' });
    assert.deepEqual(await client.agents.startAgent(id), { id, name: 'Contracted', status: 'active' });
    assert.deepEqual(await client.agents.stopAgent(id), { message: 'Agent stopped' });
    const stopped = await rejection(client.agents.stopAgent(id));
    assert.equal(stopped.status, 404);
    assert.equal(stopped.code, 'NOT_FOUND');

    assert.deepEqual(await client.agents.deleteAgent(id), { success: true });
    const gone = await rejection(client.agents.getAgent(id));
    assert.equal(gone.code, 'NOT_FOUND');
    assert.equal(gone.message, 'Agent not found');
  });

  test('worlds: addAgentToWorld sends no name, which the server refuses; a named one is made; settings change nothing', async () => {
    const worldId = '11111111-2222-4333-8444-555555555555';
    const refused = await rejection(client.agents.addAgentToWorld(ELIZA, worldId));
    assert.equal(refused.status, 400);
    assert.equal(refused.code, 'BAD_REQUEST');
    assert.equal(refused.message, 'World name is required');

    // The route's own body: {name, messageServerId?, metadata?}.
    const made = await call(`${emu.url}/api/agents/${ELIZA}/worlds`, {
      method: 'POST', json: { name: 'Lobby', metadata: { topic: 'x' } },
    });
    assert.equal(made.status, 201, made.text);
    const world = made.json.data.world;
    assert.deepEqual(Object.keys(world), ['id', 'agentId', 'name', 'metadata', 'messageServerId', 'createdAt']);
    assert.equal(world.agentId, ELIZA);
    assert.equal(world.messageServerId, null);
    assert.match(world.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // createUniqueUuid(runtime, `world-${Date.now()}`)
    assert.equal(world.id, stringToUuid(`world-${Date.parse(world.createdAt)}:${ELIZA}`));

    const settings = await client.agents.updateAgentWorldSettings(ELIZA, world.id, { theme: 'dark' });
    assert.deepEqual(settings, { world });

    const bad = await rejection(client.agents.updateAgentWorldSettings(ELIZA, 'nope', {}));
    assert.equal(bad.code, 'INVALID_ID');
    assert.equal(bad.message, 'Invalid agent ID or world ID format');
    const missing = await rejection(client.agents.updateAgentWorldSettings(ELIZA, worldId, {}));
    assert.equal(missing.status, 404);
    assert.equal(missing.message, 'World not found');
  });

  test('getWorlds lands on GET /api/agents/{agentId}, as on the real server', async () => {
    const error = await rejection(client.agents.getWorlds());
    assert.equal(error.status, 400);
    assert.equal(error.code, 'INVALID_ID');
    assert.equal((await lastEntry()).operation, 'GetAgent');
  });

  test('panels: the plugins\' public GET routes, as the client reshapes them', async () => {
    assert.deepEqual(await client.agents.getAgentPanels(ELIZA), { panels: [] });
    await mergeRest(emu.url, { agents: [{ agentId: ELIZA, panels: [{ name: 'Knowledge', path: 'display' }] }] });
    assert.deepEqual(await client.agents.getAgentPanels(ELIZA), {
      panels: [{
        id: 'Knowledge-0', name: 'Knowledge', type: 'plugin',
        url: `/api/agents/${ELIZA}/plugins/display?agentId=${ELIZA}`,
      }],
    });
  });

  test('logs: the life cycle writes them; one can be deleted; a stopped agent has no runtime to ask', async () => {
    const { id } = await client.agents.createAgent({ characterJson: { name: 'Logged', bio: 'b' } });
    await client.agents.startAgent(id);
    await client.agents.stopAgent(id);
    await client.agents.startAgent(id);

    const logs = await client.agents.getAgentLogs(id, { type: 'agent_event' });
    const mine = logs.filter((log) => log.entityId === id);
    assert.deepEqual(mine.map((log) => log.body.event), ['started', 'stopped', 'started']);
    for (const log of mine) {
      assert.deepEqual(Object.keys(log), ['id', 'createdAt', 'entityId', 'body', 'type', 'roomId']);
      assert.equal(log.roomId, id);
      assert.deepEqual(log.body, { event: log.body.event, agentId: id, agentName: 'Logged' });
    }

    assert.deepEqual(await client.agents.deleteAgentLog(id, mine[0].id), { success: true });
    const after = await client.agents.getAgentLogs(id, { type: 'agent_event' });
    assert.equal(after.some((log) => log.id === mine[0].id), false);

    await client.agents.stopAgent(id);
    const notRunning = await rejection(client.agents.getAgentLogs(id));
    assert.equal(notRunning.status, 404);
    assert.equal(notRunning.code, 'NOT_FOUND');
    const badLog = await rejection(client.agents.deleteAgentLog(ELIZA, 'nope'));
    assert.equal(badLog.message, 'Invalid agent or log ID format');
  });

  test('the message-server routes of the agents service answer 501, naming the route', async () => {
    const server = '00000000-0000-0000-0000-000000000000';
    const cases = [
      [() => client.agents.getAgentsForMessageServer(server), 'GetAgentsForMessageServer',
        'GET /api/messaging/message-servers/{messageServerId}/agents'],
      [() => client.agents.addAgentToMessageServer(server, ELIZA), 'AddAgentToMessageServer',
        'POST /api/messaging/message-servers/{messageServerId}/agents'],
      [() => client.agents.removeAgentFromMessageServer(server, ELIZA), 'RemoveAgentFromMessageServer',
        'DELETE /api/messaging/message-servers/{messageServerId}/agents/{agentId}'],
      [() => client.agents.getMessageServersForAgent(ELIZA), 'GetMessageServersForAgent',
        'GET /api/messaging/agents/{agentId}/message-servers'],
    ];
    for (const [run, operation, route] of cases) {
      const error = await rejection(run());
      assert.equal(error.status, 501);
      assert.equal(error.code, 'NOT_IMPLEMENTED');
      assert.equal(error.message, `agentemu does not emulate ${operation} (${route}) of the elizaOS server`);
    }
  });
});

describe('the whole surface: every api-client service method reaches a known route', () => {
  const A = ELIZA;
  const C = '22222222-0000-4000-8000-000000000001';
  const S = '00000000-0000-0000-0000-000000000000';
  const M = '22222222-0000-4000-8000-000000000002';
  const R = '22222222-0000-4000-8000-000000000003';
  const audio = () => new Blob([new Uint8Array([82, 73, 70, 70])], { type: 'audio/wav' });
  // [call, the operation it lands on, or null: the server has no such route (404)]
  const surface = [
    ['messaging.submitMessage', (c) => c.messaging.submitMessage({}), 'SubmitMessage'],
    ['messaging.completeMessage', (c) => c.messaging.completeMessage({}), null],
    ['messaging.ingestExternalMessages', (c) => c.messaging.ingestExternalMessages({}), 'IngestExternalMessages'],
    ['messaging.createChannel', (c) => c.messaging.createChannel({ name: 'c', type: 'GROUP' }), 'CreateChannel'],
    ['messaging.createGroupChannel', (c) => c.messaging.createGroupChannel({ name: 'g', participantIds: [A] }), 'CreateChannel'],
    ['messaging.getOrCreateDmChannel', (c) => c.messaging.getOrCreateDmChannel({ participantIds: [A, M] }), 'GetOrCreateDmChannel'],
    ['messaging.getChannelDetails', (c) => c.messaging.getChannelDetails(C), 'GetChannelDetails'],
    ['messaging.getChannelParticipants', (c) => c.messaging.getChannelParticipants(C), 'GetChannelParticipants'],
    ['messaging.addAgentToChannel', (c) => c.messaging.addAgentToChannel(C, A), 'AddAgentToChannel'],
    ['messaging.removeAgentFromChannel', (c) => c.messaging.removeAgentFromChannel(C, A), 'RemoveAgentFromChannel'],
    ['messaging.deleteChannel', (c) => c.messaging.deleteChannel(C), 'DeleteChannel'],
    ['messaging.clearChannelHistory', (c) => c.messaging.clearChannelHistory(C), 'ClearChannelHistory'],
    ['messaging.postMessage', (c) => c.messaging.postMessage(C, 'hi'), 'PostMessage'],
    ['messaging.getChannelMessages', (c) => c.messaging.getChannelMessages(C, { limit: 5 }), 'GetChannelMessages'],
    ['messaging.getMessage', (c) => c.messaging.getMessage(M), null],
    ['messaging.deleteMessage', (c) => c.messaging.deleteMessage(C, M), 'DeleteMessage'],
    ['messaging.updateMessage', (c) => c.messaging.updateMessage(M, 'x'), null],
    ['messaging.searchMessages', (c) => c.messaging.searchMessages({ query: 'x' }), null],
    ['messaging.getCurrentMessageServer', (c) => c.messaging.getCurrentMessageServer(), 'GetCurrentMessageServer'],
    ['messaging.listMessageServers', (c) => c.messaging.listMessageServers(), 'ListMessageServers'],
    ['messaging.getMessageServerChannels', (c) => c.messaging.getMessageServerChannels(S), 'GetMessageServerChannels'],
    ['messaging.createMessageServer', (c) => c.messaging.createMessageServer({ name: 's' }), 'CreateMessageServer'],
    ['messaging.syncMessageServerChannels', (c) => c.messaging.syncMessageServerChannels(S, { channels: [] }), null],
    ['messaging.deleteMessageServer', (c) => c.messaging.deleteMessageServer(S), null],
    ['messaging.updateChannel', (c) => c.messaging.updateChannel(C, { name: 'n' }), 'UpdateChannel'],
    ['messaging.generateChannelTitle', (c) => c.messaging.generateChannelTitle(C, A), 'GenerateChannelTitle'],
    // These read the channel first, and stop at its 501.
    ['messaging.addUserToChannel', (c) => c.messaging.addUserToChannel(C, M), 'GetChannelDetails'],
    ['messaging.addUsersToChannel', (c) => c.messaging.addUsersToChannel(C, [M]), 'GetChannelDetails'],
    ['messaging.removeUserFromChannel', (c) => c.messaging.removeUserFromChannel(C, M), 'GetChannelDetails'],
    ['memory.getAgentMemories', (c) => c.memory.getAgentMemories(A), 'GetAgentMemories'],
    ['memory.getRoomMemories', (c) => c.memory.getRoomMemories(A, R), 'GetRoomMemories'],
    ['memory.updateMemory', (c) => c.memory.updateMemory(A, M, { content: {} }), 'UpdateMemory'],
    ['memory.clearAgentMemories', (c) => c.memory.clearAgentMemories(A), 'ClearAgentMemories'],
    ['memory.clearRoomMemories', (c) => c.memory.clearRoomMemories(A, R), 'ClearRoomMemories'],
    ['memory.listAgentRooms', (c) => c.memory.listAgentRooms(A), 'ListAgentRooms'],
    ['memory.getRoom', (c) => c.memory.getRoom(A, R), 'GetRoom'],
    ['memory.createRoom', (c) => c.memory.createRoom(A, { name: 'r' }), 'CreateRoom'],
    ['memory.createWorldFromMessageServer', (c) => c.memory.createWorldFromMessageServer(S, {}), 'CreateWorldFromMessageServer'],
    ['memory.deleteWorld', (c) => c.memory.deleteWorld(S), 'DeleteWorld'],
    ['memory.clearWorldMemories', (c) => c.memory.clearWorldMemories(S), 'ClearWorldMemories'],
    ['memory.deleteMemory', (c) => c.memory.deleteMemory(A, M), 'DeleteMemory'],
    ['memory.getAgentInternalMemories', (c) => c.memory.getAgentInternalMemories(A, R, false), 'GetRoomMemories'],
    ['memory.deleteAgentInternalMemory', (c) => c.memory.deleteAgentInternalMemory(A, M), 'DeleteMemory'],
    ['memory.deleteAllAgentInternalMemories', (c) => c.memory.deleteAllAgentInternalMemories(A, R), 'ClearRoomMemories'],
    ['memory.updateAgentInternalMemory', (c) => c.memory.updateAgentInternalMemory(A, M, {}), 'UpdateMemory'],
    ['memory.deleteGroupMemory', (c) => c.memory.deleteGroupMemory(S, M), 'DeleteMessage'],
    ['memory.clearGroupChat', (c) => c.memory.clearGroupChat(S), 'ClearChannelHistory'],
    ['audio.speechConversation', (c) => c.audio.speechConversation(A, { audio: audio() }), 'SpeechConversation'],
    ['audio.generateSpeech', (c) => c.audio.generateSpeech(A, { text: 'x' }), 'GenerateSpeech'],
    ['audio.synthesizeAudioMessage', (c) => c.audio.synthesizeAudioMessage(A, { text: 'x' }), 'SynthesizeAudioMessage'],
    ['audio.transcribe', (c) => c.audio.transcribe(A, { audio: audio() }), 'Transcribe'],
    ['audio.processSpeech', (c) => c.audio.processSpeech(A, audio()), null],
    ['media.uploadAgentMedia', (c) => c.media.uploadAgentMedia(A, { file: audio(), filename: 'a.wav' }), 'UploadAgentMedia'],
    ['media.uploadChannelMedia', (c) => c.media.uploadChannelMedia(C, audio()), 'UploadChannelMedia'],
    ['server.checkHealth', (c) => c.server.checkHealth(), 'CheckHealth'],
    ['server.ping', (c) => c.server.ping(), 'Ping'],
    ['server.hello', (c) => c.server.hello(), 'Hello'],
    ['server.getStatus', (c) => c.server.getStatus(), 'GetStatus'],
    ['server.stopServer', (c) => c.server.stopServer(), 'StopServer'],
    ['server.getDebugInfo', (c) => c.server.getDebugInfo(), 'GetDebugInfo'],
    ['server.submitLogs', (c) => c.server.submitLogs([]), 'SubmitLogs'],
    ['server.clearLogs', (c) => c.server.clearLogs(), 'ClearLogs'],
    ['system.getEnvironment', (c) => c.system.getEnvironment(), 'GetEnvironment'],
    ['system.updateLocalEnvironment', (c) => c.system.updateLocalEnvironment({ A: 'b' }), 'UpdateLocalEnvironment'],
    ['system.getGlobalLogs', (c) => c.system.getGlobalLogs(), 'GetGlobalLogs'],
    ['system.deleteGlobalLogs', (c) => c.system.deleteGlobalLogs(), 'ClearLogs'],
    ['sessions.checkHealth', (c) => c.sessions.checkHealth(), 'CheckSessionsHealth'],
    ['sessions.createSession', (c) => c.sessions.createSession({ agentId: A, userId: M }), 'CreateSession'],
    ['sessions.getSession', (c) => c.sessions.getSession('s1'), 'GetSession'],
    ['sessions.sendMessage', (c) => c.sessions.sendMessage('s1', { content: 'x' }), 'SendSessionMessage'],
    ['sessions.sendMessageSync', (c) => c.sessions.sendMessageSync('s1', { content: 'x' }), 'SendSessionMessage'],
    ['sessions.getMessages', (c) => c.sessions.getMessages('s1', { limit: 5 }), 'GetSessionMessages'],
    ['sessions.deleteSession', (c) => c.sessions.deleteSession('s1'), 'DeleteSession'],
    ['sessions.listSessions', (c) => c.sessions.listSessions(), 'ListSessions'],
    ['runs.listRuns', (c) => c.runs.listRuns(A, { limit: 5 }), 'ListRuns'],
    ['runs.getRun', (c) => c.runs.getRun(A, R), 'GetRun'],
    ['jobs.create', (c) => c.jobs.create({ userId: M, content: 'x' }), 'CreateJob'],
    ['jobs.getJob', (c) => c.jobs.getJob(M), 'GetJob'],
    ['jobs.list', (c) => c.jobs.list({ limit: 5 }), 'ListJobs'],
    ['jobs.health', (c) => c.jobs.health(), 'CheckJobsHealth'],
  ];

  for (const [name, run, operation] of surface) {
    test(`${name} -> ${operation ?? 'API endpoint not found'}`, async () => {
      await assert.rejects(run(client));
      const entry = await lastEntry();
      if (operation === null) {
        assert.equal(entry.status, 404, JSON.stringify(entry));
        assert.equal(entry.operation, '');
        const response = await call(`${emu.url}${entry.path}`, { method: entry.method, json: entry.method === 'GET' || entry.method === 'DELETE' ? undefined : {} });
        assert.deepEqual(response.json, { success: false, error: { message: 'API endpoint not found', code: 404 } });
      } else {
        assert.equal(entry.status, 501, JSON.stringify(entry));
        assert.equal(entry.operation, operation);
        assert.equal(entry.errorCode, 'NOT_IMPLEMENTED');
      }
    });
  }

  test('GET /_emulator/operations lists every route, emulated or not', async () => {
    const response = await call(`${emu.url}/_emulator/operations?vendor=rest`);
    assert.equal(response.status, 200, response.text);
    const eliza = response.json.operations.filter((op) => op.plane === 'eliza');
    const byRoute = new Map(eliza.map((op) => [`${op.method} ${op.route}`, op]));
    for (const [, , operation] of surface) {
      if (operation === null) continue;
      assert.ok(eliza.some((op) => op.operation === operation && op.emulated === false), operation);
    }
    for (const route of ['GET /api/agents', 'POST /api/agents/{agentId}/worlds', 'PATCH /api/agents/{agentId}/worlds/{worldId}',
      'GET /api/agents/{agentId}/panels', 'GET /api/agents/{agentId}/logs', 'DELETE /api/agents/{agentId}/logs/{logId}']) {
      assert.equal(byRoute.get(route)?.emulated, true, route);
    }
    assert.equal(byRoute.get('GET /api/agents/{agentId}/runs').errors[0], 'Not implemented');
  });
});
