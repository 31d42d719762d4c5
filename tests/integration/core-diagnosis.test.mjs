// Seeing why: GET /_emulator/requests/unmatched and /requests/{id} explain each answer — the
// nearest operations for a request no vendor (or operation) claimed, the nearest scenario rule
// and the first clause that did not hold for one a vendor took.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, stopCleanly, call } from '../support/emulator.mjs';
import { zegoClient } from '../support/zego.mjs';

let emu;
before(async () => { emu = await startEmulator(); });
after(async () => stopCleanly(emu));

const admin = (path, options) => call(`${emu.url}/_emulator${path}`, options);
const lastId = async () => (await admin('/requests?limit=1')).json.requests[0].id;

test('a request no vendor claimed: the nearest operations and what differed', async () => {
  await admin('/requests', { method: 'DELETE' });
  await call(`${emu.url}/agent/550e8400-e29b-41d4-a716-446655440000/stop`, { method: 'POST', json: {} });
  const id = await lastId();
  const r = await admin(`/requests/${id}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.id, id);
  assert.equal(r.json.vendor, 'none');
  const d = r.json.diagnosis;
  assert.equal(d.claimed, false);
  assert.equal(d.nearestOperations.length, 3);
  const [nearest] = d.nearestOperations;
  assert.equal(nearest.vendor, 'rest');
  assert.equal(nearest.operation, 'StopAgent');
  assert.equal(nearest.route, '/agents/{agentId}/stop');
  assert.ok(nearest.distance > 0 && nearest.distance < 0.2, String(nearest.distance));
  assert.match(nearest.differences[0], /segment 1 is "agent", the route has "agents"/);
  assert.ok(d.nearestOperations[1].distance >= nearest.distance, 'nearest first');
  assert.match(d.summary, /^no vendor claimed POST \/agent\/.*the nearest operation is rest StopAgent/);
});

test('GET /requests/unmatched lists only what no vendor claimed, each with its diagnosis', async () => {
  await admin('/requests', { method: 'DELETE' });
  await call(`${emu.url}/agents`);
  await call(`${emu.url}/?Action=ListAgents`, { method: 'POST', json: {} });
  const r = await admin('/requests/unmatched');
  assert.equal(r.status, 200);
  assert.equal(r.json.requests.length, 1);
  const [entry] = r.json.requests;
  assert.equal(entry.query, 'Action=ListAgents');
  const [nearest] = entry.diagnosis.nearestOperations;
  assert.equal(nearest.vendor, 'zego');
  assert.equal(nearest.operation, 'ListAgents');
  assert.equal(nearest.distance, 0);
  // Nothing differs in method, path or Action: what is missing are zego's own signs at "/".
  assert.match(nearest.differences[0], /nothing in it marked it as zego's.*\*\.zegotech\.cn/);
  assert.equal((await admin('/requests/unmatched?vendor=rest')).status, 400);
  assert.equal((await admin('/requests/unmatched?limit=0')).json.requests.length, 0);
});

test('a vendor that found no operation: its own nearest operations', async () => {
  await call(`${emu.url}/agents/550e8400-e29b-41d4-a716-446655440000/strat`, { method: 'POST', json: {} });
  const r = await admin(`/requests/${await lastId()}`);
  assert.equal(r.json.vendor, 'rest');
  assert.equal(r.json.operation, '');
  const d = r.json.diagnosis;
  assert.equal(d.claimed, true);
  assert.ok(d.nearestOperations.every((o) => o.vendor === 'rest'));
  assert.equal(d.nearestOperations[0].operation, 'StartAgent');
  assert.match(d.summary, /^rest found no operation in POST .*StartAgent/);
});

test('a scenario rule that nearly matched: the rule and the first clause that failed', async () => {
  const scenario = {
    rules: [
      { name: 'stop-header', match: { vendor: 'rest', operation: 'StopAgent', headers: { 'x-trace': 'chaos-*' } }, respond: { status: 503 } },
      { name: 'ice-only', match: { vendor: 'ice' }, respond: { status: 500 } },
      { name: 'far', match: { vendor: 'rest', operation: 'CreateAgent', method: 'POST', path: '/nowhere' }, respond: { status: 500 } },
    ],
  };
  assert.equal((await admin('/scenarios/near', { method: 'PUT', json: scenario })).status, 200);
  try {
    const stop = `${emu.url}/agents/550e8400-e29b-41d4-a716-446655440000/stop`;
    await call(stop, { method: 'POST', json: {}, headers: { 'x-trace': 'calm-1' } });
    let d = (await admin(`/requests/${await lastId()}`)).json.diagnosis;
    assert.equal(d.claimed, true);
    assert.equal(d.rule, undefined, 'no rule answered');
    assert.deepEqual(d.nearMisses.map((m) => m.rule), ['stop-header', 'far'], "another vendor's rule is no candidate");
    const [miss] = d.nearMisses;
    assert.equal(miss.scenario, 'near');
    assert.equal(miss.clause, 'headers');
    assert.equal(miss.key, 'x-trace');
    assert.equal(miss.pointer, '/rules/0/match/headers/x-trace');
    assert.equal(miss.expected, 'chaos-*');
    assert.equal(miss.actual, 'calm-1');
    assert.ok(miss.distance > 0 && miss.distance < d.nearMisses[1].distance);
    assert.match(d.summary, /the nearest, rule "stop-header" of scenario "near", fails at headers x-trace: it wants "chaos-\*", the request has "calm-1"/);

    await call(stop, { method: 'POST', json: {} });
    d = (await admin(`/requests/${await lastId()}`)).json.diagnosis;
    assert.equal(d.nearMisses[0].actual, null, 'a header that is absent');

    await call(stop, { method: 'POST', json: {}, headers: { 'x-trace': 'chaos-7' } });
    const fired = (await admin(`/requests/${await lastId()}`)).json;
    assert.equal(fired.status, 503);
    assert.deepEqual(fired.diagnosis.rule, { scenario: 'near', rule: 'stop-header' });
    assert.equal(fired.diagnosis.nearMisses[0].clause, null, 'every clause of the rule that fired holds');
    assert.match(fired.diagnosis.summary, /^rule "stop-header" of scenario "near" answered/);
  } finally {
    await admin('/scenarios/near', { method: 'DELETE' });
  }
});

test('params clauses are read from the request as the vendor decoded it', async () => {
  const scenario = { rules: [{ name: 'graceful', match: { vendor: 'rest', params: { graceful: 'true' } }, respond: { status: 503 } }] };
  await admin('/scenarios/params', { method: 'PUT', json: scenario });
  try {
    await call(`${emu.url}/agents/550e8400-e29b-41d4-a716-446655440000/stop`, { method: 'POST', json: { graceful: false } });
    const [miss] = (await admin(`/requests/${await lastId()}`)).json.diagnosis.nearMisses;
    assert.equal(miss.clause, 'params');
    assert.equal(miss.key, 'graceful');
    assert.equal(miss.actual, 'false');
  } finally {
    await admin('/scenarios/params', { method: 'DELETE' });
  }
});

test('a rule whose clauses hold but whose when did not pick the call says so', async () => {
  await admin('/scenarios/later', { method: 'PUT', json: { rules: [{ name: 'third', match: { vendor: 'rest', operation: 'ListAgents' }, when: { calls: '3' }, respond: { status: 503 } }] } });
  try {
    await call(`${emu.url}/agents`);
    const d = (await admin(`/requests/${await lastId()}`)).json.diagnosis;
    assert.equal(d.nearMisses[0].clause, null);
    assert.match(d.nearMisses[0].note, /its when \(calls 3\) did not pick this call/);
    assert.match(d.summary, /rule "third" of scenario "later" matches, but/);
  } finally {
    await admin('/scenarios/later', { method: 'DELETE' });
  }
});

test('a request refused before the rules: the diagnosis says rules never saw it, and keeps the vendor explanation', async () => {
  const zego = zegoClient(emu.url);
  const r = await zego.send('ListAgents', {}, { query: { Signature: '0'.repeat(32) } });
  assert.equal(r.json.Code, 100000005);
  const d = (await admin(`/requests/${await lastId()}`)).json.diagnosis;
  assert.match(d.summary, /^zego ListAgents answered 200 \(100000005\) before any scenario rule was tried/);
  assert.match(d.summary, /The vendor's answer: Signature 2\.0 is md5/);
});

test('a request that could not be read, and ids the journal does not hold', async () => {
  assert.equal((await admin('/requests/0')).status, 400);
  assert.equal((await admin('/requests/abc')).json.error, 'invalid_id');
  const missing = await admin('/requests/999999');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error, 'not_found');
  assert.equal((await admin('/requests/1/x')).status, 404);
});
