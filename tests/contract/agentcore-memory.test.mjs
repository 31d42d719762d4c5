// AgentCore Memory's data plane through @aws-sdk/client-bedrock-agentcore (the memory made with
// the -control client): events with branches, pages and expiry on the emulator's clock, records,
// retrieval order for a known corpus, extraction after its delay, extraction jobs, IngestData,
// the declared errors, throttling from a scenario, tenancy, and the `bedrock-agentcore` package's
// memory store pointed at agentemu.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as data from '@aws-sdk/client-bedrock-agentcore';
import { BedrockAgentCoreControlClient, CreateMemoryCommand, DeleteMemoryCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { AgentCoreMemoryStore } from 'bedrock-agentcore/memory/strands';
import { call, startEmulator, stopCleanly } from '../support/emulator.mjs';
import { TEST_CREDENTIALS, client, rejection } from '../support/agentcore.mjs';

const {
  CreateEventCommand, GetEventCommand, ListEventsCommand, DeleteEventCommand, ListSessionsCommand, ListActorsCommand,
  BatchCreateMemoryRecordsCommand, BatchUpdateMemoryRecordsCommand, BatchDeleteMemoryRecordsCommand,
  GetMemoryRecordCommand, DeleteMemoryRecordCommand, ListMemoryRecordsCommand, RetrieveMemoryRecordsCommand,
  StartMemoryExtractionJobCommand, ListMemoryExtractionJobsCommand, IngestDataCommand,
} = data;

let emulator;
let cp;
let dp;
let memoryId;
let strategies;

const admin = (path, init) => call(`${emulator.url}/_emulator/${path}`, init);
let offset = 0;
async function later(seconds) {
  offset += seconds;
  const r = await admin('clock', { method: 'PUT', body: JSON.stringify({ offsetSeconds: offset }) });
  assert.equal(r.status, 200);
}

const turn = (text, role = 'USER') => ({ conversational: { content: { text }, role } });
const T0 = new Date('2026-01-01T00:00:00Z');
const at = (seconds) => new Date(T0.getTime() + seconds * 1000);

function event(actorId, sessionId, payload, extra = {}) {
  return dp.send(new CreateEventCommand({ memoryId, actorId, sessionId, eventTimestamp: extra.eventTimestamp ?? new Date(),
    payload, ...extra }));
}

before(async () => {
  emulator = await startEmulator();
  cp = new BedrockAgentCoreControlClient({ region: 'us-east-1', endpoint: emulator.url, credentials: TEST_CREDENTIALS });
  dp = client(emulator.url);
  const created = await cp.send(new CreateMemoryCommand({
    name: 'support_memory', eventExpiryDuration: 3,
    memoryStrategies: [
      { semanticMemoryStrategy: { name: 'facts', namespaces: ['/facts/{actorId}'] } },
      { summaryMemoryStrategy: { name: 'summary', namespaces: ['/summaries/{actorId}/{sessionId}'] } },
      { userPreferenceMemoryStrategy: { name: 'prefs' } },
    ],
  }));
  memoryId = created.memory.id;
  strategies = Object.fromEntries(created.memory.strategies.map((s) => [s.name, s.strategyId]));
});
after(async () => {
  cp?.destroy();
  dp?.destroy();
  await stopCleanly(emulator);
});

describe('events', () => {
  it('CreateEvent (conversational and blob, timestamp, metadata), GetEvent, DeleteEvent', async () => {
    const out = await event('alice', 'chat-1', [turn('Hi there'), { blob: { kind: 'tool-output', items: [1, 2] } }],
      { eventTimestamp: at(0.25), metadata: { channel: { stringValue: 'web' } } });
    assert.equal(out.$metadata.httpStatusCode, 201);
    const e = out.event;
    assert.equal(e.memoryId, memoryId);
    assert.equal(e.actorId, 'alice');
    assert.equal(e.sessionId, 'chat-1');
    assert.match(e.eventId, /^0000001767225600250#[0-9a-f]{8}$/);
    assert.equal(e.eventTimestamp.toISOString(), '2026-01-01T00:00:00.250Z');
    assert.deepEqual(e.payload, [turn('Hi there'), { blob: { kind: 'tool-output', items: [1, 2] } }]);
    assert.deepEqual(e.metadata, { channel: { stringValue: 'web' } });

    const got = await dp.send(new GetEventCommand({ memoryId, actorId: 'alice', sessionId: 'chat-1', eventId: e.eventId }));
    assert.deepEqual(got.event, e);
    const deleted = await dp.send(new DeleteEventCommand({ memoryId, actorId: 'alice', sessionId: 'chat-1', eventId: e.eventId }));
    assert.equal(deleted.eventId, e.eventId);
    const gone = await rejection(dp.send(new GetEventCommand({ memoryId, actorId: 'alice', sessionId: 'chat-1', eventId: e.eventId })));
    assert.equal(gone.name, 'ResourceNotFoundException');
    assert.equal(gone.$metadata.httpStatusCode, 404);
  });

  it('a clientToken replays the first event; other parameters with it are refused', async () => {
    const clientToken = 'retry-token-0001';
    const first = await event('alice', 'chat-2', [turn('once')], { eventTimestamp: at(5), clientToken });
    const again = await event('alice', 'chat-2', [turn('once')], { eventTimestamp: at(5), clientToken });
    assert.equal(again.event.eventId, first.event.eventId);
    assert.equal(again.$metadata.httpStatusCode, 201);
    const other = await rejection(event('alice', 'chat-2', [turn('twice')], { eventTimestamp: at(5), clientToken }));
    assert.equal(other.name, 'ValidationException');
    assert.equal(other.reason, 'IdempotentParameterMismatchException');
    const listed = await dp.send(new ListEventsCommand({ memoryId, actorId: 'alice', sessionId: 'chat-2' }));
    assert.equal(listed.events.length, 1);
  });

  it('ListEvents: newest first, pages, includePayloads, metadata filter', async () => {
    const ids = [];
    for (let i = 0; i < 5; i += 1) {
      const out = await event('bob', 'pages', [turn(`message ${i}`)],
        { eventTimestamp: at(10 + i), metadata: { parity: { stringValue: i % 2 ? 'odd' : 'even' } } });
      ids.push(out.event.eventId);
    }
    const seen = [];
    let nextToken;
    do {
      const page = await dp.send(new ListEventsCommand({ memoryId, actorId: 'bob', sessionId: 'pages', maxResults: 2, nextToken }));
      assert.ok(page.events.length <= 2);
      seen.push(...page.events.map((e) => e.eventId));
      nextToken = page.nextToken;
    } while (nextToken);
    assert.deepEqual(seen, [...ids].reverse());

    const bare = await dp.send(new ListEventsCommand({ memoryId, actorId: 'bob', sessionId: 'pages', includePayloads: false }));
    assert.deepEqual(bare.events[0].payload, []);
    const odd = await dp.send(new ListEventsCommand({ memoryId, actorId: 'bob', sessionId: 'pages', filter: {
      eventMetadata: [{ left: { metadataKey: 'parity' }, operator: 'EQUALS_TO', right: { metadataValue: { stringValue: 'odd' } } }],
    } }));
    assert.deepEqual(odd.events.map((e) => e.eventId), [ids[3], ids[1]]);
    const none = await dp.send(new ListEventsCommand({ memoryId, actorId: 'bob', sessionId: 'no-such-session' }));
    assert.deepEqual(none.events, []);
    const bad = await rejection(dp.send(new ListEventsCommand({ memoryId, actorId: 'bob', sessionId: 'pages', nextToken: 'bogus' })));
    assert.equal(bad.name, 'ValidationException');
  });

  it('branches: a fork from an event of the session, continued by name, listed with its parents', async () => {
    const one = (await event('carol', 'tree', [turn('one')], { eventTimestamp: at(1) })).event.eventId;
    await event('carol', 'tree', [turn('two')], { eventTimestamp: at(2) });
    const fork = await event('carol', 'tree', [turn('two, differently')],
      { eventTimestamp: at(3), branch: { name: 'retry', rootEventId: one } });
    assert.deepEqual(fork.event.branch, { name: 'retry', rootEventId: one });
    await event('carol', 'tree', [turn('three')], { eventTimestamp: at(4), branch: { name: 'retry' } });

    const text = (events) => events.map((e) => e.payload[0].conversational.content.text);
    const branch = await dp.send(new ListEventsCommand({ memoryId, actorId: 'carol', sessionId: 'tree',
      filter: { branch: { name: 'retry' } } }));
    assert.deepEqual(text(branch.events), ['three', 'two, differently']);
    const withParents = await dp.send(new ListEventsCommand({ memoryId, actorId: 'carol', sessionId: 'tree',
      filter: { branch: { name: 'retry', includeParentBranches: true } } }));
    assert.deepEqual(text(withParents.events), ['three', 'two, differently', 'one']);

    const orphan = await rejection(event('carol', 'tree', [turn('x')], { branch: { name: 'unknown' } }));
    assert.equal(orphan.name, 'ValidationException');
    assert.equal(orphan.fieldList[0].name, 'branch.rootEventId');
    const elsewhere = (await event('carol', 'other-session', [turn('elsewhere')])).event.eventId;
    const crossed = await rejection(event('carol', 'tree', [turn('x')], { branch: { name: 'b2', rootEventId: elsewhere } }));
    assert.equal(crossed.reason, 'EventInOtherSession');
  });

  it('ListSessions and ListActors come from the events, with pages', async () => {
    await event('dave', 's-a', [turn('a')]);
    await event('dave', 's-b', [turn('b')]);
    const sessions = await dp.send(new ListSessionsCommand({ memoryId, actorId: 'dave' }));
    assert.deepEqual(sessions.sessionSummaries.map((s) => s.sessionId).sort(), ['s-a', 's-b']);
    assert.ok(sessions.sessionSummaries.every((s) => s.actorId === 'dave' && s.createdAt instanceof Date));
    const actors = [];
    let nextToken;
    do {
      const page = await dp.send(new ListActorsCommand({ memoryId, maxResults: 2, nextToken }));
      actors.push(...page.actorSummaries.map((a) => a.actorId));
      nextToken = page.nextToken;
    } while (nextToken);
    assert.deepEqual(actors, [...actors].sort());
    for (const name of ['alice', 'bob', 'carol', 'dave']) assert.ok(actors.includes(name), name);
  });

  it('the model\'s constraints and the declared errors', async () => {
    const bad = await rejection(event('not an actor!', 's', [turn('x')]));
    assert.equal(bad.name, 'ValidationException');
    assert.equal(bad.$metadata.httpStatusCode, 400);
    assert.equal(bad.fieldList[0].name, 'actorId');
    assert.match(bad.message, /^1 validation error detected: Value 'not an actor!' at 'actorId' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    const role = await rejection(event('alice', 's', [{ conversational: { content: { text: 'x' }, role: 'ROBOT' } }]));
    assert.equal(role.fieldList[0].name, 'payload[0].conversational.role');
    const missing = await rejection(dp.send(new ListEventsCommand({ memoryId: 'nothing_here-a1b2c3d4e5', actorId: 'a', sessionId: 's' })));
    assert.equal(missing.name, 'ResourceNotFoundException');
    assert.match(missing.message, /Memory 'nothing_here-a1b2c3d4e5' not found/);
    // Another account's caller does not see this memory.
    const other = client(emulator.url, { credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, region: 'eu-west-1' });
    const tenant = await rejection(other.send(new ListActorsCommand({ memoryId })));
    assert.equal(tenant.name, 'ResourceNotFoundException');
    other.destroy();
  });
});

describe('records and retrieval', () => {
  const corpus = [
    'The user lives in Paris and works as a nurse.',
    'The user prefers window seats on long flights.',
    'The user\'s favourite music is jazz, especially Coltrane.',
    'Jazz concerts in Paris are the user\'s favourite outings.',
    'The user has a dog called Rex.',
  ];
  let ids;

  it('BatchCreate, Get, List by namespace and path with pages, BatchUpdate, Delete, BatchDelete', async () => {
    const created = await dp.send(new BatchCreateMemoryRecordsCommand({ memoryId, records: corpus.map((text, i) => ({
      requestIdentifier: `r${i}`, namespaces: [i < 3 ? '/corpus/a' : '/corpus/b'], content: { text }, timestamp: at(100 + i),
      metadata: { index: { numberValue: i } },
    })) }));
    assert.equal(created.$metadata.httpStatusCode, 201);
    assert.equal(created.failedRecords.length, 0);
    assert.deepEqual(created.successfulRecords.map((r) => r.requestIdentifier), ['r0', 'r1', 'r2', 'r3', 'r4']);
    ids = created.successfulRecords.map((r) => r.memoryRecordId);
    for (const id of ids) assert.match(id, /^mem-[0-9a-f-]{36}$/);

    const got = await dp.send(new GetMemoryRecordCommand({ memoryId, memoryRecordId: ids[4] }));
    assert.equal(got.memoryRecord.content.text, corpus[4]);
    assert.deepEqual(got.memoryRecord.namespaces, ['/corpus/b']);
    assert.equal(got.memoryRecord.createdAt.toISOString(), at(104).toISOString());
    assert.deepEqual(got.memoryRecord.metadata, { index: { numberValue: 4 } });

    const pages = [];
    let nextToken;
    do {
      const page = await dp.send(new ListMemoryRecordsCommand({ memoryId, namespace: '/corpus', maxResults: 2, nextToken }));
      pages.push(page.memoryRecordSummaries.map((r) => r.memoryRecordId));
      nextToken = page.nextToken;
    } while (nextToken);
    assert.deepEqual(pages.flat(), [...ids].reverse());  // newest first
    const sub = await dp.send(new ListMemoryRecordsCommand({ memoryId, namespacePath: '/corpus/b' }));
    assert.equal(sub.memoryRecordSummaries.length, 2);
    const prefixOnly = await dp.send(new ListMemoryRecordsCommand({ memoryId, namespacePath: '/corp' }));
    assert.equal(prefixOnly.memoryRecordSummaries.length, 0);  // a path is a whole segment
    const filtered = await dp.send(new ListMemoryRecordsCommand({ memoryId, namespace: '/corpus',
      metadataFilters: [{ left: { metadataKey: 'index' }, operator: 'GREATER_THAN', right: { metadataValue: { numberValue: 2 } } }] }));
    assert.deepEqual(filtered.memoryRecordSummaries.map((r) => r.memoryRecordId), [ids[4], ids[3]]);

    const updated = await dp.send(new BatchUpdateMemoryRecordsCommand({ memoryId, records: [
      { memoryRecordId: ids[4], timestamp: new Date(), content: { text: 'The user has a dog called Rex and a cat.' } },
      { memoryRecordId: `mem-${'0'.repeat(36)}`, timestamp: new Date() },
    ] }));
    assert.deepEqual(updated.successfulRecords.map((r) => r.status), ['SUCCEEDED']);
    assert.equal(updated.failedRecords[0].errorCode, 404);
    assert.equal((await dp.send(new GetMemoryRecordCommand({ memoryId, memoryRecordId: ids[4] }))).memoryRecord.content.text,
      'The user has a dog called Rex and a cat.');

    const extra = await dp.send(new BatchCreateMemoryRecordsCommand({ memoryId, records: [
      { requestIdentifier: 'x1', namespaces: ['/scratch'], content: { text: 'scratch one' }, timestamp: new Date() },
      { requestIdentifier: 'x2', namespaces: ['/scratch'], content: { text: 'scratch two' }, timestamp: new Date() },
    ] }));
    const [s1, s2] = extra.successfulRecords.map((r) => r.memoryRecordId);
    assert.equal((await dp.send(new DeleteMemoryRecordCommand({ memoryId, memoryRecordId: s1 }))).memoryRecordId, s1);
    const batch = await dp.send(new BatchDeleteMemoryRecordsCommand({ memoryId, records: [{ memoryRecordId: s2 }, { memoryRecordId: s1 }] }));
    assert.deepEqual(batch.successfulRecords.map((r) => r.memoryRecordId), [s2]);
    assert.deepEqual(batch.failedRecords.map((r) => [r.memoryRecordId, r.status, r.errorCode]), [[s1, 'FAILED', 404]]);
    const gone = await rejection(dp.send(new GetMemoryRecordCommand({ memoryId, memoryRecordId: s1 })));
    assert.equal(gone.name, 'ResourceNotFoundException');
  });

  it('RetrieveMemoryRecords ranks a known corpus by BM25, with scores, topK and pages', async () => {
    const out = await dp.send(new RetrieveMemoryRecordsCommand({ memoryId, namespace: '/corpus',
      searchCriteria: { searchQuery: 'jazz in Paris' } }));
    assert.deepEqual(out.memoryRecordSummaries.map((r) => r.content.text), [corpus[3], corpus[0], corpus[2]]);
    const scores = out.memoryRecordSummaries.map((r) => r.score);
    assert.ok(scores.every((s) => s > 0 && s < 1), String(scores));
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));

    const top = await dp.send(new RetrieveMemoryRecordsCommand({ memoryId, namespace: '/corpus',
      searchCriteria: { searchQuery: 'jazz in Paris', topK: 2 } }));
    assert.equal(top.memoryRecordSummaries.length, 2);
    const first = await dp.send(new RetrieveMemoryRecordsCommand({ memoryId, namespace: '/corpus', maxResults: 1,
      searchCriteria: { searchQuery: 'jazz in Paris' } }));
    const second = await dp.send(new RetrieveMemoryRecordsCommand({ memoryId, namespace: '/corpus', maxResults: 1,
      nextToken: first.nextToken, searchCriteria: { searchQuery: 'jazz in Paris' } }));
    assert.equal(second.memoryRecordSummaries[0].content.text, corpus[0]);
    const nothing = await dp.send(new RetrieveMemoryRecordsCommand({ memoryId, namespace: '/corpus',
      searchCriteria: { searchQuery: 'astronomy' } }));
    assert.deepEqual(nothing.memoryRecordSummaries, []);
    const neither = await rejection(dp.send(new RetrieveMemoryRecordsCommand({ memoryId, searchCriteria: { searchQuery: 'x' } })));
    assert.equal(neither.name, 'ValidationException');
    assert.equal(neither.fieldList[0].name, 'namespace');
  });
});

describe('extraction', () => {
  it('the strategies extract from the events after a short delay on the emulator\'s clock', async () => {
    await event('erin', 'trip', [turn('I live in Lyon. I prefer aisle seats.'), turn('Noted!', 'ASSISTANT')]);
    await event('erin', 'trip', [turn('My dog is called Max.')], { extractionMode: 'SKIP' });
    const list = (namespace) => dp.send(new ListMemoryRecordsCommand({ memoryId, namespace }));
    assert.deepEqual((await list('/facts/erin')).memoryRecordSummaries, []);
    await later(3);
    const facts = (await list('/facts/erin')).memoryRecordSummaries;
    assert.deepEqual(facts.map((r) => r.content.text).sort(), ['I live in Lyon.', 'I prefer aisle seats.']);
    assert.ok(facts.every((r) => r.memoryStrategyId === strategies.facts));
    const summary = (await list('/summaries/erin/trip')).memoryRecordSummaries;
    assert.deepEqual(summary.map((r) => r.content.text), ['USER: I live in Lyon. I prefer aisle seats.\nASSISTANT: Noted!']);
    const prefs = (await list(`/strategies/${strategies.prefs}/actors/erin`)).memoryRecordSummaries;
    assert.deepEqual(prefs.map((r) => r.content.text), ['I prefer aisle seats.']);
  });

  it('IngestData stores the content as an event of a session and extracts it, json included', async () => {
    const out = await dp.send(new IngestDataCommand({ memoryId, actorId: 'frank', contentTimestamp: new Date(),
      source: { inline: { payload: [turn('I work at the harbour.'), { json: { content: { note: 'Likes sailing' } } }] } } }));
    assert.equal(out.$metadata.httpStatusCode, 202);
    assert.match(out.sessionId, /^[0-9a-f-]{36}$/);
    const events = await dp.send(new ListEventsCommand({ memoryId, actorId: 'frank', sessionId: out.sessionId }));
    assert.deepEqual(events.events[0].payload, [turn('I work at the harbour.'), { blob: { note: 'Likes sailing' } }]);
    await later(3);
    const facts = await dp.send(new ListMemoryRecordsCommand({ memoryId, namespace: '/facts/frank' }));
    assert.deepEqual(facts.memoryRecordSummaries.map((r) => r.content.text).sort(),
      ['I work at the harbour.', '{"note":"Likes sailing"}']);
    const bad = await rejection(dp.send(new IngestDataCommand({ memoryId, actorId: 'frank', contentTimestamp: new Date(),
      source: { inline: { payload: [] } } })));
    assert.equal(bad.name, 'ValidationException');
  });

  it('a failed extraction job from the fixtures is listed and runs again with StartMemoryExtractionJob', async () => {
    const e = await event('gina', 'retry', [turn('I grow tomatoes.')], { extractionMode: 'SKIP' });
    const jobID = 'job-0001';
    const loaded = await admin('state', { method: 'POST', body: JSON.stringify({ agentcore: { memoryExtractionJobs: [{
      memoryId, jobID, strategyId: strategies.facts, sessionId: 'retry', actorId: 'gina', status: 'FAILED',
      failureReason: 'throttled', messages: { messagesList: [{ eventId: e.event.eventId, messageIndex: 0 }] } }] } }) });
    assert.equal(loaded.status, 200, loaded.text);
    const listed = await dp.send(new ListMemoryExtractionJobsCommand({ memoryId, filter: { actorId: 'gina' } }));
    assert.deepEqual(listed.jobs.map((j) => [j.jobID, j.status, j.strategyId, j.messages.messagesList[0].eventId]),
      [[jobID, 'FAILED', strategies.facts, e.event.eventId]]);
    const started = await dp.send(new StartMemoryExtractionJobCommand({ memoryId, extractionJob: { jobId: jobID } }));
    assert.equal(started.jobId, jobID);
    assert.deepEqual((await dp.send(new ListMemoryExtractionJobsCommand({ memoryId }))).jobs, []);
    const facts = await dp.send(new ListMemoryRecordsCommand({ memoryId, namespace: '/facts/gina' }));
    assert.deepEqual(facts.memoryRecordSummaries.map((r) => r.content.text), ['I grow tomatoes.']);
    const unknown = await rejection(dp.send(new StartMemoryExtractionJobCommand({ memoryId, extractionJob: { jobId: jobID } })));
    assert.equal(unknown.name, 'ResourceNotFoundException');
  });
});

describe('state, throttling, expiry, deletion', () => {
  it('GET /_emulator/state shows events and records in the API\'s shapes', async () => {
    const { json } = await admin('state?vendor=agentcore');
    const state = json.agentcore ?? json;
    const events = state.memoryEvents.filter((e) => e.actorId === 'erin');
    assert.equal(events.length, 2);
    assert.equal(events[1].extractionMode, 'SKIP');
    assert.match(events[0].memoryId, new RegExp(`:memory/${memoryId}$`));
    assert.equal(typeof events[0].eventTimestamp, 'number');
    assert.ok(state.memoryRecords.some((r) => r.content.text === 'I live in Lyon.' && r.namespaces[0] === '/facts/erin'));
  });

  it('ThrottledException from a scenario reaches the SDK by name, which retries it', async () => {
    const scenario = { rules: [{ match: { vendor: 'agentcore', operation: 'CreateEvent' },
      respond: { error: 'ThrottledException', message: 'Rate exceeded' }, when: { calls: '1-2' } }] };
    assert.equal((await admin('scenarios/memory-throttle', { method: 'PUT', body: JSON.stringify(scenario) })).status, 200);
    const out = await event('henry', 'busy', [turn('eventually')]);
    assert.equal(out.$metadata.attempts, 3);
    const quick = client(emulator.url, { maxAttempts: 1 });
    await admin('scenarios/memory-throttle', { method: 'PUT', body: JSON.stringify({ rules: [{
      match: { vendor: 'agentcore', operation: 'CreateEvent' }, respond: { error: 'ThrottlingException' } }] }) });
    const refused = await rejection(quick.send(new CreateEventCommand({ memoryId, actorId: 'henry', sessionId: 'busy',
      eventTimestamp: new Date(), payload: [turn('no')] })));
    assert.equal(refused.name, 'ThrottlingException');
    assert.equal(refused.$metadata.httpStatusCode, 429);
    quick.destroy();
    await admin('scenarios/memory-throttle', { method: 'DELETE' });
  });

  it('events expire after eventExpiryDuration days (PUT /_emulator/clock)', async () => {
    const kept = await event('ivy', 'long', [turn('still here')]);
    assert.equal((await dp.send(new ListEventsCommand({ memoryId, actorId: 'ivy', sessionId: 'long' }))).events.length, 1);
    await later(3 * 86400 + 60);  // the SDK corrects its clock from the Date header on the way
    const after3days = await dp.send(new ListEventsCommand({ memoryId, actorId: 'ivy', sessionId: 'long' }));
    assert.deepEqual(after3days.events, []);
    const gone = await rejection(dp.send(new GetEventCommand({ memoryId, actorId: 'ivy', sessionId: 'long', eventId: kept.event.eventId })));
    assert.equal(gone.name, 'ResourceNotFoundException');
    // Records are long-term memory: they stay.
    const facts = await dp.send(new ListMemoryRecordsCommand({ memoryId, namespace: '/facts/erin' }));
    assert.equal(facts.memoryRecordSummaries.length, 2);
  });

  it('the bedrock-agentcore package\'s memory store writes events and searches records through agentemu', async () => {
    const store = new AgentCoreMemoryStore({ memoryId, actorId: 'kim', sessionId: 'strands-1', namespace: '/facts/{actorId}',
      writable: true, client: dp, maxSearchResults: 3 });
    await store.addMessages([
      { role: 'user', content: [{ text: 'I play the cello. I like baroque music.' }] },
      { role: 'assistant', content: [{ text: 'Lovely!' }] },
    ]);
    const events = await dp.send(new ListEventsCommand({ memoryId, actorId: 'kim', sessionId: 'strands-1' }));
    assert.deepEqual(events.events[0].payload, [turn('I play the cello. I like baroque music.'), turn('Lovely!', 'ASSISTANT')]);
    await later(3);
    const found = await store.search('baroque cello music');
    assert.deepEqual(found.map((f) => f.content), ['I like baroque music.', 'I play the cello.']);
    assert.ok(found[0].metadata._score > found[1].metadata._score);
    assert.deepEqual(found[0].metadata._namespaces, ['/facts/kim']);
  });

  it('a state dump loads back as fixtures: another agentemu answers the same memory', async () => {
    const { json } = await admin('state?vendor=agentcore&secrets=true');
    const other = await startEmulator();
    const odp = client(other.url);
    try {
      const loaded = await call(`${other.url}/_emulator/state`, { method: 'POST', body: JSON.stringify(json) });
      assert.equal(loaded.status, 200, loaded.text);
      // The same clock, so the same events are past their expiry.
      await call(`${other.url}/_emulator/clock`, { method: 'PUT', body: JSON.stringify({ offsetSeconds: offset }) });
      // The same request to both, the answers without the SDK's per-response metadata.
      const both = async (Command, input) => {
        const [mine, theirs] = await Promise.all([dp.send(new Command(input)), odp.send(new Command(input))]);
        delete mine.$metadata;
        delete theirs.$metadata;
        assert.deepEqual(theirs, mine, `${Command.name} ${JSON.stringify(input)}`);
        return mine;
      };
      // A session whose events all expired is listed for a day but has nothing to dump: the
      // other lists only the actors with events.
      const { actorSummaries } = await dp.send(new ListActorsCommand({ memoryId, maxResults: 100 }));
      assert.ok(actorSummaries.length >= 4);
      for (const { actorId } of actorSummaries) {
        const { sessionSummaries } = await both(ListSessionsCommand, { memoryId, actorId, maxResults: 100,
          filter: { eventFilter: 'HAS_EVENTS' } });
        for (const { sessionId } of sessionSummaries) {
          await both(ListEventsCommand, { memoryId, actorId, sessionId, maxResults: 100 });
        }
      }
      const kim = await both(ListEventsCommand, { memoryId, actorId: 'kim', sessionId: 'strands-1' });
      assert.equal(kim.events.length, 1);
      await both(GetEventCommand, { memoryId, actorId: 'kim', sessionId: 'strands-1', eventId: kim.events[0].eventId });
      const records = await both(ListMemoryRecordsCommand, { memoryId, namespace: '/', maxResults: 100 });
      assert.ok(records.memoryRecordSummaries.length >= 4);
      await both(GetMemoryRecordCommand, { memoryId, memoryRecordId: records.memoryRecordSummaries[0].memoryRecordId });
      const found = await both(RetrieveMemoryRecordsCommand, { memoryId, namespace: '/facts',
        searchCriteria: { searchQuery: 'baroque music Lyon', topK: 5 } });
      assert.ok(found.memoryRecordSummaries.length >= 2);
      await both(ListMemoryExtractionJobsCommand, { memoryId });
    } finally {
      odp.destroy();
      await stopCleanly(other);
    }
  });

  it('DeleteMemory takes the memory\'s events and records with it', async () => {
    await cp.send(new DeleteMemoryCommand({ memoryId }));
    const gone = await rejection(dp.send(new ListMemoryRecordsCommand({ memoryId, namespace: '/' })));
    assert.equal(gone.name, 'ResourceNotFoundException');
    const { json } = await admin('state?vendor=agentcore');
    const state = json.agentcore ?? json;
    assert.deepEqual(state.memoryEvents.filter((e) => e.memoryId.endsWith(memoryId)), []);
  });
});
