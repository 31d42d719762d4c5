// scenarios/rest-graceful-timeout.json does what its comments say: graceful stops are held
// 200 ms and answered 408 "Graceful shutdown timed out" with the agent left active, while
// non-graceful stops pass through.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startEmulator, stopCleanly } from '../support/emulator.mjs';
import { ELIZA, assertDocsError, resetEmulator } from '../support/rest.mjs';

let emu;
before(async () => { emu = await startEmulator({ args: ['--scenarios', 'scenarios/rest-graceful-timeout.json'] }); });
after(async () => { await stopCleanly(emu); });
beforeEach(async () => { await resetEmulator(emu.url); });

const stop = (init) => call(`${emu.url}/agents/${ELIZA}/stop`, { method: 'POST', ...init });
const status = async () => (await call(`${emu.url}/agents/${ELIZA}`)).json.data.status;

test('graceful stops are held, then time out; the agent stays active', async () => {
  for (const init of [{ json: { graceful: true, timeout: 60000 } }, { json: {} }, {}]) {
    const started = Date.now();
    const response = await stop(init);
    assertDocsError(response, 408, 'Graceful shutdown timed out');
    assert.ok(Date.now() - started >= 180, `held ${Date.now() - started} ms`);
    assert.equal(await status(), 'active');
  }
  const journal = await call(`${emu.url}/_emulator/requests?operation=StopAgent`);
  assert.equal(journal.json.requests.length, 3);
  for (const entry of journal.json.requests) {
    assert.equal(entry.status, 408);
    assert.equal(entry.errorCode, 'Graceful shutdown timed out');
    assert.deepEqual(entry.scenario, { name: 'rest-graceful-timeout', rule: 'graceful-stop-times-out' });
  }
});

test('a non-graceful stop passes through and stops the agent', async () => {
  assertDocsError(await stop({ json: {} }), 408, 'Graceful shutdown timed out');
  const forced = await stop({ json: { graceful: false } });
  assert.equal(forced.status, 200, forced.text);
  assert.equal(forced.json.data.status, 'inactive');
  assert.equal(await status(), 'inactive');
  const scenarios = await call(`${emu.url}/_emulator/scenarios`);
  const scenario = scenarios.json.scenarios.find((s) => s.name === 'rest-graceful-timeout');
  assert.equal(scenario.rules[0].hits, 1, 'the non-graceful stop did not fire the rule');
});

test('the elizaOS profile has no graceful option and is not matched', async () => {
  const response = await call(`${emu.url}/api/agents/${ELIZA}/stop`, { method: 'POST' });
  assert.equal(response.status, 200, response.text);
});

test('scenario rules render catalogue errors in the profile the request used', async () => {
  const scenario = {
    name: 'rest-catalogue',
    rules: [
      { match: { vendor: 'rest', operation: 'StartAgent' }, respond: { error: 'START_ERROR' } },
      { match: { vendor: 'rest', operation: 'ListAgents' }, respond: { error: 'Too many requests. Please try again later.', retryAfter: 3 } },
    ],
  };
  const put = await call(`${emu.url}/_emulator/scenarios/rest-catalogue`, { method: 'PUT', body: JSON.stringify(scenario) });
  assert.equal(put.status, 200, put.text);
  try {
    const eliza = await call(`${emu.url}/api/agents/${ELIZA}/start`, { method: 'POST' });
    assert.equal(eliza.status, 500);
    assert.deepEqual(eliza.json, { success: false, error: { code: 'START_ERROR', message: 'Error starting agent' } });
    assertDocsError(await call(`${emu.url}/agents/${ELIZA}/start`, { method: 'POST' }), 500, 'Error starting agent');
    const limited = await call(`${emu.url}/api/agents`);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '3');
    assert.equal(limited.json.error.code, 'RATE_LIMIT_EXCEEDED');
    assertDocsError(await call(`${emu.url}/agents`), 429, 'Too many requests. Please try again later.');
    const unknown = await call(`${emu.url}/_emulator/scenarios/bad`, {
      method: 'PUT', body: JSON.stringify({ name: 'bad', rules: [{ match: { vendor: 'rest' }, respond: { error: 'No such error' } }] }),
    });
    assert.equal(unknown.status, 400);
    assert.match(unknown.text, /vendor rest has no error \\"No such error\\"/);
  } finally {
    await call(`${emu.url}/_emulator/scenarios/rest-catalogue`, { method: 'DELETE' });
  }
});
