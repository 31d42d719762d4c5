// The admin API as INTERFACE.md lists it, and the admin token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, stopCleanly, call } from '../support/emulator.mjs';

let emu;
before(async () => { emu = await startEmulator({ args: ['--journal-limit', '5'] }); });
after(async () => stopCleanly(emu));

const admin = (path, options) => call(`${emu.url}/_emulator${path}`, options);

test('the journal records unrouted requests, newest last, and filters them', async () => {
  await admin('/requests', { method: 'DELETE' });
  await call(`${emu.url}/first`, { headers: { 'x-trace': 'one' } });
  await call(`${emu.url}/second?q=1`, { method: 'POST', body: 'hello' });
  const all = await admin('/requests');
  assert.equal(all.status, 200);
  const [first, second] = all.json.requests;
  assert.equal(first.path, '/first');
  assert.equal(first.headers['x-trace'], 'one');
  assert.equal(first.status, 404);
  assert.equal(first.errorCode, 'not_found');
  assert.equal(first.vendor, 'none');
  assert.equal(second.method, 'POST');
  assert.equal(second.query, 'q=1');
  assert.equal(second.body, 'hello');
  assert.ok(second.id > first.id);
  assert.match(second.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(typeof second.durationMs, 'number');
  assert.equal((await admin('/requests?status=404&limit=1')).json.requests[0].path, '/second');
  assert.deepEqual((await admin('/requests/count?status=4xx')).json, { count: 2 });
  assert.deepEqual((await admin('/requests/count?vendor=ice')).json, { count: 0 });
  assert.deepEqual((await admin('/requests/count?status=2xx')).json, { count: 0 });
});

test('journal filters are validated', async () => {
  for (const query of ['status=abc', 'limit=-1', 'colour=red', 'vendor=%zz', 'vendor=bogus', 'status=00', 'status=6xx']) {
    const r = await admin(`/requests?${query}`);
    assert.equal(r.status, 400, query);
    assert.equal(r.json.error, 'invalid_query');
  }
});

test('unclaimed requests are vendor "none" in the journal, its filter, the metrics and the logs', async () => {
  const logged = await startEmulator({ args: ['--log-level', 'info'] });
  try {
    await call(`${logged.url}/nobody-home`);
    const [entry] = (await call(`${logged.url}/_emulator/requests`)).json.requests;
    assert.equal(entry.vendor, 'none');
    assert.deepEqual((await call(`${logged.url}/_emulator/requests/count?vendor=none`)).json, { count: 1 });
    const metrics = await call(`${logged.url}/metrics`);
    assert.match(metrics.text, /^agentemu_requests_total\{vendor="none",operation="",status="404"\} 1$/m);
  } finally {
    await stopCleanly(logged);
  }
  assert.match(logged.stderr(), /info request vendor=none operation="" method=GET path=\/nobody-home status=404/);
});

test('status=0 finds the calls that got no HTTP answer, and scenario/rule find the calls a rule answered', async () => {
  await admin('/requests', { method: 'DELETE' });
  const rules = { rules: [{ name: 'reset', match: { vendor: 'rest', operation: 'ListAgents' }, respond: { fault: 'connection_reset' } },
    { name: 'teapot', match: { vendor: 'rest', operation: 'GetAgent' }, respond: { status: 451 } }] };
  await admin('/scenarios/faults', { method: 'PUT', json: rules });
  try {
    await call(`${emu.url}/agents`).catch(() => {});
    await call(`${emu.url}/agents/550e8400-e29b-41d4-a716-446655440000`);
    const zero = await admin('/requests?status=0');
    assert.equal(zero.status, 200);
    assert.deepEqual(zero.json.requests.map((e) => [e.status, e.errorCode]), [[0, 'connection_reset']]);
    assert.deepEqual((await admin('/requests/count?scenario=faults')).json, { count: 2 });
    const teapot = await admin('/requests?scenario=faults&rule=teapot');
    assert.deepEqual(teapot.json.requests.map((e) => e.status), [451]);
    assert.deepEqual((await admin('/requests/count?rule=nope')).json, { count: 0 });
  } finally {
    await admin('/scenarios/faults', { method: 'DELETE' });
  }
});

test('the journal is bounded by --journal-limit and admin requests are not journaled', async () => {
  await admin('/requests', { method: 'DELETE' });
  for (let i = 0; i < 8; i++) await call(`${emu.url}/n${i}`);
  await admin('/health');
  const r = await admin('/requests');
  assert.deepEqual(r.json.requests.map((e) => e.path), ['/n3', '/n4', '/n5', '/n6', '/n7']);
  assert.equal((await admin('/requests', { method: 'DELETE' })).status, 200);
  assert.deepEqual((await admin('/requests/count')).json, { count: 0 });
});

test('the clock moves by offset or to an absolute time, and rejects nonsense', async () => {
  let r = await admin('/clock', { method: 'PUT', json: { offsetSeconds: 3600 } });
  assert.equal(r.status, 200);
  assert.equal(r.json.offsetSeconds, 3600);
  assert.ok(Math.abs(Date.parse(r.json.now) - (Date.now() + 3600_000)) < 5000);
  const health = await call(`${emu.url}/_emulator/health`);
  assert.ok(Math.abs(Date.parse(health.headers.get('date')) - (Date.now() + 3600_000)) < 5000, 'Date follows the emulator clock');
  r = await admin('/clock', { method: 'PUT', json: { now: '2030-01-01T00:00:00Z' } });
  assert.equal(r.status, 200);
  assert.ok(Math.abs(Date.parse(r.json.now) - Date.parse('2030-01-01T00:00:00Z')) < 5000);
  for (const bad of [{}, { offsetSeconds: 'x' }, { offsetSeconds: 1e12 }, { now: 'tomorrow' }]) {
    r = await admin('/clock', { method: 'PUT', json: bad });
    assert.equal(r.status, 400, JSON.stringify(bad));
    assert.equal(r.json.error, 'invalid_clock');
  }
  r = await admin('/clock');
  assert.ok(Math.abs(Date.parse(r.json.now) - Date.parse('2030-01-01T00:00:00Z')) < 5000, 'a rejected PUT changes nothing');
});

test('reset empties the journal and puts the clock back', async () => {
  await call(`${emu.url}/something`);
  await admin('/clock', { method: 'PUT', json: { offsetSeconds: 100 } });
  const r = await admin('/reset', { method: 'POST' });
  assert.equal(r.status, 200);
  assert.deepEqual((await admin('/requests/count')).json, { count: 0 });
  assert.equal((await admin('/clock')).json.offsetSeconds, 0);
});

test('state: GET dumps every vendor; POST rejects unknown vendors with a pointer and changes nothing', async () => {
  const before = await admin('/state');
  assert.equal(before.status, 200);
  assert.equal(typeof before.json, 'object');
  const bad = await admin('/state', { method: 'POST', json: { nosuchvendor: {} } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error, 'invalid_fixture');
  assert.equal(bad.json.pointer, '/nosuchvendor');
  assert.deepEqual((await admin('/state')).json, before.json);
  const notObject = await admin('/state', { method: 'POST', json: [1] });
  assert.equal(notObject.status, 400);
  const unknownFilter = await admin('/state?vendor=nosuchvendor');
  assert.equal(unknownFilter.status, 400);
});

test('scenarios: put, list, delete; invalid ones are refused with a pointer', async () => {
  let r = await admin('/scenarios/slow', { method: 'PUT', body: '{"rules":[{"match":{"path":"/x"},"delayMs":10,"respond":"pass"}]}' });
  assert.equal(r.status, 200);
  r = await admin('/scenarios');
  assert.equal(r.json.scenarios.length, 1);
  assert.equal(r.json.scenarios[0].name, 'slow');
  assert.equal(r.json.scenarios[0].source, 'api');
  assert.deepEqual(r.json.scenarios[0].rules, [{ name: 'rules/0', phase: 'before', matched: 0, hits: 0 }]);
  r = await admin('/scenarios/broken', { method: 'PUT', body: '{"rules":[{"when":{"probability":2},"respond":"pass"}]}' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error, 'invalid_scenario');
  assert.equal(r.json.pointer, '/rules/0/when/probability');
  assert.equal(r.json.message, 'must be a number between 0 and 1');
  assert.equal((await admin('/scenarios/nope', { method: 'DELETE' })).status, 404);
  assert.equal((await admin('/scenarios/slow', { method: 'DELETE' })).status, 200);
  await admin('/scenarios/a', { method: 'PUT', body: '{"rules":[]}' });
  assert.equal((await admin('/scenarios', { method: 'DELETE' })).status, 200);
  assert.deepEqual((await admin('/scenarios')).json, { scenarios: [] });
  assert.equal((await admin('/scenarios/x', { method: 'GET' })).status, 405);
});

test('metrics are Prometheus text', async () => {
  await call(`${emu.url}/count-me`);
  const r = await call(`${emu.url}/metrics`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  assert.match(r.text, /^# HELP agentemu_requests_total /m);
  assert.match(r.text, /^agentemu_requests_total\{vendor="none",operation="",status="404"\} \d+$/m);
  assert.match(r.text, /^agentemu_request_duration_seconds_bucket\{vendor="none",le="\+Inf"\} \d+$/m);
  assert.match(r.text, /^# TYPE agentemu_faults_injected_total counter$/m);
});

test('--admin-token guards every admin endpoint', async () => {
  const guarded = await startEmulator({ args: ['--admin-token', 's3cret'] });
  try {
    for (const path of ['/health', '/requests', '/state', '/scenarios', '/clock']) {
      const r = await call(`${guarded.url}/_emulator${path}`);
      assert.equal(r.status, 401, path);
      assert.equal(r.json.error, 'unauthorized');
      assert.match(r.headers.get('www-authenticate'), /^Bearer/);
    }
    const wrong = await call(`${guarded.url}/_emulator/health`, { headers: { authorization: 'Bearer s3cre' } });
    assert.equal(wrong.status, 401);
    const right = await call(`${guarded.url}/_emulator/health`, { headers: { authorization: 'Bearer s3cret' } });
    assert.equal(right.status, 200);
  } finally {
    await stopCleanly(guarded);
  }
});
