// Graceful stops of the documented profile: waiting for in-progress work (given by the
// fixtures' busyMs) within and past the request's timeout, on the emulator's clock, with
// concurrent stops of one agent. One io thread, so a stop that blocked it would hang the rest.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, slowdown, startEmulator, stopCleanly } from '../support/emulator.mjs';
import { ELIZA, assertDocsError, mergeRest, pendingStops, resetEmulator, restState, setClock } from '../support/rest.mjs';

let emu;
before(async () => { emu = await startEmulator({ args: ['--threads', '1'] }); });
after(async () => { await stopCleanly(emu); });
beforeEach(async () => { await resetEmulator(emu.url); });

const stop = (json, id = ELIZA) => call(`${emu.url}/agents/${id}/stop`, { method: 'POST', json });
const status = async (id = ELIZA) => (await call(`${emu.url}/agents/${id}`)).json.data.status;

test('work that ends within the timeout: the stop waits, then succeeds', async () => {
  await mergeRest(emu.url, { agents: [{ agentId: ELIZA, busyMs: 60000 }] });
  const pending = stop({ graceful: true, timeout: 120000 });
  await pendingStops(emu.url, ELIZA, 1);
  // The wait holds no thread: the only io thread keeps serving.
  assert.equal(await status(), 'active');
  const list = await call(`${emu.url}/agents`);
  assert.equal(list.status, 200);

  const beforeJump = Date.now();
  await setClock(emu.url, 61);
  const response = await pending;
  assert.equal(response.status, 200, response.text);
  assert.equal(response.json.message, 'Agent stopped successfully');
  assert.equal(response.json.data.status, 'inactive');
  // stoppedAt is when the work ended, on the shifted clock.
  assert.ok(response.json.data.stoppedAt >= beforeJump + 59000, `stoppedAt ${response.json.data.stoppedAt}`);
  assert.equal(await status(), 'inactive');
  assert.equal((await restState(emu.url)).agents.find((a) => a.agentId === ELIZA).pendingStops, 0);
});

test('work that outlasts the timeout: 408 Graceful shutdown timed out, the agent stays active', async () => {
  await mergeRest(emu.url, { agents: [{ agentId: ELIZA, busyMs: 600000 }] });
  const pending = stop({ timeout: 5000 });
  await pendingStops(emu.url, ELIZA, 1);
  await setClock(emu.url, 6);
  assertDocsError(await pending, 408, 'Graceful shutdown timed out');
  assert.equal(await status(), 'active');
  const journal = await call(`${emu.url}/_emulator/requests?operation=StopAgent`);
  assert.equal(journal.json.requests.at(-1).status, 408);
  assert.equal(journal.json.requests.at(-1).errorCode, 'Graceful shutdown timed out');
  // The agent can still be stopped at once.
  const forced = await stop({ graceful: false });
  assert.equal(forced.status, 200, forced.text);
  assert.equal(await status(), 'inactive');
});

test('real time: short work and short timeouts, no clock games', async () => {
  await mergeRest(emu.url, { agents: [{ agentId: ELIZA, busyMs: 150 }] });
  let started = Date.now();
  const ok = await stop({ timeout: 5000 * slowdown });
  assert.equal(ok.status, 200, ok.text);
  assert.ok(Date.now() - started >= 100, `answered after ${Date.now() - started} ms`);

  await call(`${emu.url}/agents/${ELIZA}/start`, { method: 'POST' });
  await mergeRest(emu.url, { agents: [{ agentId: ELIZA, busyMs: 60000 }] });
  started = Date.now();
  assertDocsError(await stop({ timeout: 120 }), 408, 'Graceful shutdown timed out');
  assert.ok(Date.now() - started >= 100, `timed out after ${Date.now() - started} ms`);
});

test('concurrent stops of one agent join the wait; each keeps its own timeout', async () => {
  await mergeRest(emu.url, { agents: [{ agentId: ELIZA, busyMs: 60000 }] });
  const short = stop({ timeout: 10000 });
  const long = stop({ timeout: 120000 });
  const defaults = stop({}); // 30000 ms
  await pendingStops(emu.url, ELIZA, 3);

  await setClock(emu.url, 11);
  assertDocsError(await short, 408, 'Graceful shutdown timed out');
  await pendingStops(emu.url, ELIZA, 2);
  assert.equal(await status(), 'active');

  // Past the default 30 s but before the work ends at 60 s: the default one gives up too.
  await setClock(emu.url, 31);
  assertDocsError(await defaults, 408, 'Graceful shutdown timed out');
  await pendingStops(emu.url, ELIZA, 1);

  await setClock(emu.url, 61);
  const done = await long;
  assert.equal(done.status, 200, done.text);
  assert.equal(await status(), 'inactive');
  assertDocsError(await stop({}), 409, 'Agent is not running');
});

test('concurrent stops that all wait long enough share one stoppedAt', async () => {
  await mergeRest(emu.url, { agents: [{ agentId: ELIZA, busyMs: 60000 }] });
  const stops = Array.from({ length: 5 }, () => stop({ timeout: 90000 }));
  await pendingStops(emu.url, ELIZA, 5);
  await setClock(emu.url, 61);
  const answers = await Promise.all(stops);
  for (const a of answers) assert.equal(a.status, 200, a.text);
  assert.equal(new Set(answers.map((a) => a.json.data.stoppedAt)).size, 1);
});

test('concurrent stops of an idle agent: exactly one stops it, the others find it not running', async () => {
  const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => stop(i % 2 ? {} : { graceful: false })));
  const statuses = answers.map((a) => a.status).sort();
  assert.deepEqual(statuses, [200, 409, 409, 409, 409, 409, 409, 409]);
  for (const a of answers.filter((x) => x.status === 409)) assert.equal(a.json.error, 'Agent is not running');
});

test('a non-graceful stop ends the graceful ones still waiting, with the same stoppedAt', async () => {
  await mergeRest(emu.url, { agents: [{ agentId: ELIZA, busyMs: 600000 }] });
  const waiting = stop({});
  await pendingStops(emu.url, ELIZA, 1);
  const forced = await stop({ graceful: false });
  assert.equal(forced.status, 200, forced.text);
  const released = await waiting;
  assert.equal(released.status, 200, released.text);
  assert.equal(released.json.data.stoppedAt, forced.json.data.stoppedAt);
});

test('deleting the agent or resetting the emulator ends waiting stops', async () => {
  await mergeRest(emu.url, { agents: [{ agentId: ELIZA, busyMs: 600000 }] });
  const waiting = stop({});
  await pendingStops(emu.url, ELIZA, 1);
  const deleted = await call(`${emu.url}/agents/${ELIZA}`, { method: 'DELETE' });
  assert.equal(deleted.status, 200);
  assert.equal((await waiting).status, 200);

  await resetEmulator(emu.url);
  await mergeRest(emu.url, { agents: [{ agentId: ELIZA, busyMs: 600000 }] });
  const orphan = stop({});
  await pendingStops(emu.url, ELIZA, 1);
  await resetEmulator(emu.url);
  assertDocsError(await orphan, 404, 'Agent not found');
  assert.equal(await status(), 'active', 'the reset agent is back from the fixtures');
});

test('finishing the work through POST /_emulator/state releases a waiting stop', async () => {
  await mergeRest(emu.url, { agents: [{ agentId: ELIZA, busyMs: 600000 }] });
  const waiting = stop({ timeout: 600000 });
  await pendingStops(emu.url, ELIZA, 1);
  await mergeRest(emu.url, { agents: [{ agentId: ELIZA, busyMs: 0 }] });
  const answer = await waiting;
  assert.equal(answer.status, 200, answer.text);
});

test('the elizaOS profile stops at once, whatever the work, and frees waiting stops', async () => {
  await mergeRest(emu.url, { agents: [{ agentId: ELIZA, busyMs: 600000, stopFails: true }] });
  const waiting = stop({});
  await pendingStops(emu.url, ELIZA, 1);
  const eliza = await call(`${emu.url}/api/agents/${ELIZA}/stop`, { method: 'POST' });
  assert.equal(eliza.status, 200, eliza.text);
  assert.deepEqual(eliza.json, { success: true, data: { message: 'Agent stopped' } });
  assert.equal((await waiting).status, 200);
});
