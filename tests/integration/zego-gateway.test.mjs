// ZEGO's gateway over loopback: routing, every gateway code in its order, Signature 2.0 and the
// 10-minute window on the emulator clock, bad bodies, GET, nonce replay and the rate limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startEmulator, stopCleanly, call, rawExchange } from '../support/emulator.mjs';
import { zegoClient, shiftClock, mergeZego, signature, defaultApp } from '../support/zego.mjs';

let emu;
let zego;

before(async () => {
  emu = await startEmulator();
  zego = zegoClient(emu.url);
});
after(async () => {
  await stopCleanly(emu);
});

// fetch() may not set Host; node:http may. Resolves {status, headers: Map-like, text, json}.
function postWithHost(host, pathAndQuery, body = '{}') {
  return new Promise((resolve, reject) => {
    const req = http.request({ port: emu.port, host: '127.0.0.1', method: 'POST', path: pathAndQuery,
      headers: { host, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: { get: (n) => res.headers[n] }, text, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const envelopeOf = (r) => {
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.equal(typeof r.json.Code, 'number');
  assert.equal(typeof r.json.Message, 'string');
  assert.match(r.json.RequestId, /^\d{19}$/);
  return r.json;
};

test('a signed request at / with AppId and SignatureVersion reaches ZEGO', async () => {
  const r = await zego.send('ListAgents', {});
  const body = envelopeOf(r);
  assert.equal(body.Code, 0);
  assert.equal(body.Message, 'Success');
  assert.deepEqual(Object.keys(body.Data).sort(), ['Agents', 'Cursor', 'Total']);
  const journal = (await call(`${emu.url}/_emulator/requests?vendor=zego&operation=ListAgents`)).json.requests;
  assert.equal(journal.at(-1).operation, 'ListAgents');
});

test('the Host header alone routes to ZEGO, and a non-gateway zegotech.cn host gets 100000000', async () => {
  // Nothing in the query says ZEGO: the Host does, and the gateway then misses the Action.
  const viaHost = await postWithHost('aigc-aiagent-api.zegotech.cn', '/');
  assert.equal(envelopeOf(viaHost).Code, 100000006);
  const regional = await postWithHost('aigc-aiagent-api-sgp.zegotech.cn', `/?${zego.query('ListAgents')}`);
  assert.equal(envelopeOf(regional).Code, 0);
  const wrongHost = await postWithHost('rtc-api.zegotech.cn', `/?${zego.query('ListAgents')}`);
  assert.equal(envelopeOf(wrongHost).Code, 100000000);
});

test('every bad public parameter gets its documented gateway code, in order', async () => {
  const cases = [
    [{ Action: undefined }, 100000006],
    [{ Action: '' }, 100000006],
    [{ Action: 'DescribeAIAgentInstance' }, 100000007],
    [{ AppId: undefined }, 100000001],
    [{ AppId: 'twelve' }, 100000001],
    [{ AppId: '99999999999' }, 100000001],
    [{ AppId: '42' }, 100000010],
    [{ Timestamp: undefined }, 100000002],
    [{ Timestamp: '' }, 100000002],
    [{ Timestamp: 'yesterday' }, 100000003],
    [{ Timestamp: String(Math.floor(Date.now() / 1000) - 3600) }, 100000004],
    [{ Timestamp: String(Date.now()) }, 100000004],  // milliseconds
    [{ SignatureNonce: '' }, 100000008],
    [{ Signature: undefined }, 100000009],
    [{ SignatureVersion: undefined }, 100000013],
    [{ SignatureVersion: '1.0' }, 100000014],
    [{ Signature: '0'.repeat(32) }, 100000005],
    // Order: an empty Action wins over everything else that is wrong.
    [{ Action: '', AppId: 'x', Timestamp: '', Signature: '' }, 100000006],
    [{ AppId: undefined, SignatureVersion: undefined }, 404],  // nothing says ZEGO (see the Host test)
    [{ AppId: 'x', Timestamp: '' }, 100000001],
    [{ Timestamp: 'x', Signature: '' }, 100000003],
    [{ SignatureNonce: '', Signature: '' }, 100000008],
  ];
  for (const [overrides, expected] of cases) {
    const r = await zego.send('ListAgents', {}, { query: overrides });
    if (expected === 404) {
      assert.equal(r.status, 404);
      continue;
    }
    const body = envelopeOf(r);
    assert.equal(body.Code, expected, `${JSON.stringify(overrides)} -> ${r.text}`);
    assert.equal(body.Data, undefined);
  }
  const journal = (await call(`${emu.url}/_emulator/requests?vendor=zego&limit=1`)).json.requests;
  assert.equal(journal[0].errorCode, '100000008');
});

test('the gateway messages are the return-code table texts', async () => {
  const r = await zego.send('ListAgents', {}, { query: { Signature: 'f'.repeat(32) } });
  assert.deepEqual([r.json.Code, r.json.Message], [100000005, 'Signature error.']);
  const expired = await zego.send('ListAgents', {}, { query: { Timestamp: '1615186943' } });
  assert.deepEqual([expired.json.Code, expired.json.Message], [100000004, 'Signature expired.']);
});

test('a signature error keeps ZEGO\'s text and explains itself in x-agentemu-diagnostic: the string to sign, never the secret', async () => {
  const ts = String(Math.floor(Date.now() / 1000));
  const query = zego.query('ListAgents', { Timestamp: ts, SignatureNonce: 'n0nce', Signature: 'f'.repeat(32) });
  const r = await call(`${emu.url}/?${query}`, { method: 'POST', json: {} });
  assert.equal(r.text.includes('"Message":"Signature error."'), true);
  const expected = signature(defaultApp.appId, 'n0nce', defaultApp.secret, ts);
  const header = r.headers.get('x-agentemu-diagnostic');
  assert.equal(header, 'Signature 2.0 is md5(AppId + SignatureNonce + ServerSecret + Timestamp) in lowercase hex. ' +
    `Expected string to sign: "1234567890" + "n0nce" + <ServerSecret of AppId 1234567890, 32 characters> + "${ts}"; ` +
    `expected Signature ${expected}, got ${'f'.repeat(32)}`);
  assert.doesNotMatch(header, new RegExp(defaultApp.secret));
  const [entry] = (await call(`${emu.url}/_emulator/requests?limit=1`)).json.requests;
  assert.equal(entry.diagnostic, header);
  const upper = await call(`${emu.url}/?${zego.query('ListAgents', { Timestamp: ts, SignatureNonce: 'n0nce', Signature: expected.toUpperCase() })}`, { method: 'POST', json: {} });
  assert.match(upper.headers.get('x-agentemu-diagnostic'), /the same digits in upper case: ZEGO wants lower case/);
});

test('an expired Timestamp says how far it is from the emulator\'s clock', async () => {
  const ts = Math.floor(Date.now() / 1000) - 3600;
  const r = await call(`${emu.url}/?${zego.query('ListAgents', { Timestamp: String(ts) })}`, { method: 'POST', json: {} });
  assert.equal(r.json.Message, 'Signature expired.');
  assert.match(r.headers.get('x-agentemu-diagnostic'), /^Timestamp \d+ is 3[56]\d\d s behind the emulator's clock \(20\d\d-.*Z\); ZEGO accepts 600 s either way/);
});

test('nonces in any format are accepted (ZEGO samples send decimal and base-36 nonces)', async () => {
  for (const nonce of ['15215528852396', Math.random().toString(36).substring(2), 'x']) {
    assert.equal(await zego.code('ListAgents', {}, { query: { SignatureNonce: nonce } }), 0, nonce);
  }
});

test('the 10-minute window follows the emulator clock', async () => {
  const query = zego.query('ListAgents');
  assert.equal(envelopeOf(await call(`${emu.url}/?${query}`, { method: 'POST', json: {} })).Code, 0);
  await shiftClock(emu.url, 599);
  assert.equal(envelopeOf(await call(`${emu.url}/?${query}`, { method: 'POST', json: {} })).Code, 0);
  await shiftClock(emu.url, 611);
  assert.equal(envelopeOf(await call(`${emu.url}/?${query}`, { method: 'POST', json: {} })).Code, 100000004);
  await shiftClock(emu.url, -611);
  assert.equal(envelopeOf(await call(`${emu.url}/?${query}`, { method: 'POST', json: {} })).Code, 100000004);
  await shiftClock(emu.url, 0, zego);
});

test('a body that is not JSON answers 410000004; bad members 410000003 naming the member', async () => {
  for (const raw of ['{', 'not json', '[1]', '"text"', '{"AgentId":"a",}']) {
    const r = await zego.send('RegisterAgent', undefined, { rawBody: raw });
    assert.deepEqual([envelopeOf(r).Code, r.json.Message], [410000004, 'JSON parsing failed.'], raw);
  }
  const cases = [
    ['RegisterAgent', {}, /AgentId is required/],
    ['RegisterAgent', { AgentId: 'a'.repeat(129) }, /AgentId must have at most 128/],
    ['RegisterAgent', { AgentId: 'has space' }, /AgentId must match/],
    ['RegisterAgent', { AgentId: 'a', Name: 'n'.repeat(257) }, /Name must have at most 256/],
    ['UpdateAgent', { AgentId: 'a', Name: 'n'.repeat(65) }, /Name must have at most 64/],
    ['RegisterAgent', { AgentId: 'a', LLM: { Url: 'u', Model: 'm' } }, /LLM\.ApiKey is required/],
    ['RegisterAgent', { AgentId: 'a', LLM: { Url: 'u', ApiKey: 'k', Model: 'm', Temperature: 2.5 } }, /LLM\.Temperature must be less than or equal to 2/],
    ['RegisterAgent', { AgentId: 'a', TTS: { Vendor: 'Aliyun' } }, /TTS\.Params is required/],
    ['RegisterAgent', { AgentId: 'a', ASR: { Vendor: 'Nobody' } }, /ASR\.Vendor must be one of/],
    ['ListAgents', { Limit: -1 }, /Limit must be greater than or equal to 0/],
    ['ListAgents', { Limit: 11 }, /Limit must be less than or equal to 10/],
    ['ListAgents', { Limit: '5' }, /Limit must be an integer/],
    ['QueryAgents', {}, /AgentIds is required/],
    ['QueryAgents', { AgentIds: Array.from({ length: 11 }, (_, i) => `a${i}`) }, /AgentIds must have at most 10 items/],
    ['CreateAgentInstance', { AgentId: 'a', UserId: 'u' }, /RTC is required/],
    ['CreateAgentInstance', { AgentId: 'a', UserId: 'u'.repeat(33), RTC: {} }, /UserId must have at most 32/],
    ['CreateAgentInstance', { AgentId: 'a', UserId: 'u', RTC: { RoomId: 'r', AgentStreamId: 's', AgentUserId: 'x' } }, /RTC\.UserStreamId is required/],
    ['CreateAgentInstance', { AgentId: 'a', UserId: 'u', RTC: { RoomId: 'r', AgentStreamId: 's', AgentUserId: 'x', UserStreamId: 'y' }, AdvancedConfig: { CommunicationMode: 1 } }, /AdvancedConfig\.CommunicationMode must be one of: 0, 2/],
    ['CreateAgentInstance', { AgentId: 'a', UserId: 'u', RTC: { RoomId: 'r', AgentStreamId: 's', AgentUserId: 'x', UserStreamId: 'y' }, MessageHistory: { WindowSize: 501 } }, /MessageHistory\.WindowSize/],
    ['CreateAgentInstance', { AgentId: 'a', UserId: 'u', RTC: { RoomId: 'r', AgentStreamId: 's', AgentUserId: 'x', UserStreamId: 'y' }, MessageHistory: { Messages: [{ Role: 'system', Content: 'c' }] } }, /MessageHistory\.Messages\[0\]\.Role must be one of/],
    ['CreateDigitalHumanAgentInstance', { AgentId: 'a', UserId: 'u', RTC: { RoomId: 'r', AgentStreamId: 's', AgentUserId: 'x', UserStreamId: 'y' } }, /DigitalHuman is required/],
    ['CreateLiveDigitalHumanAgentInstance', { AgentId: 'a', DigitalHuman: { DigitalHumanId: 'd' } }, /RTC or CDN is required/],
    ['DeleteAgentInstance', {}, /AgentInstanceId is required/],
    ['DeleteAgentInstance', { AgentInstanceId: '1', GracefulShutdownTimeout: 0 }, /GracefulShutdownTimeout must be greater than or equal to 1/],
    ['DeleteAgentInstance', { AgentInstanceId: '1', GracefulShutdownTimeout: 121 }, /GracefulShutdownTimeout must be less than or equal to 120/],
    ['DeleteAgentInstance', { AgentInstanceId: '1', GracefulShutdown: 'yes' }, /GracefulShutdown must be a boolean/],
    ['SendAgentInstanceLLM', { AgentInstanceId: '1' }, /Text is required/],
    ['SendAgentInstanceLLM', { AgentInstanceId: '1', Text: 't', Priority: 'Urgent' }, /Priority must be one of: Low, Medium, High/],
    ['SendAgentInstanceTTS', { AgentInstanceId: '1', Text: 'x'.repeat(301) }, /Text must have at most 300/],
    ['AddAgentInstanceMsg', { AgentInstanceId: '1', Messages: [{ Role: 'user' }] }, /Messages\[0\]\.Content is required/],
    ['StartListening', { AgentInstanceId: '1', Sequence: 1.5 }, /Sequence must be an integer/],
  ];
  for (const [action, body, message] of cases) {
    const r = await zego.send(action, body);
    assert.equal(envelopeOf(r).Code, 410000003, `${action} ${JSON.stringify(body)} -> ${r.text}`);
    assert.match(r.json.Message, message);
  }
});

test('GET carries everything in the query', async () => {
  await zego.ok('RegisterAgent', { AgentId: 'via-get', Name: 'Get' });
  const r = await zego.send('QueryAgents', undefined, { method: 'GET', extraQuery: '&AgentIds[]=via-get&AgentIds[]=ghost' });
  assert.equal(envelopeOf(r).Code, 0);
  assert.deepEqual(r.json.Data.Agents.map((a) => a.AgentId), ['via-get']);
  const list = await zego.send('ListAgents', undefined, { method: 'GET', extraQuery: '&Limit=1' });
  assert.equal(list.json.Data.Agents.length, 1);
  const bad = await zego.send('ListAgents', undefined, { method: 'GET', extraQuery: '&Limit=eleven' });
  assert.equal(bad.json.Code, 410000003);
  await zego.ok('UnregisterAgent', { AgentId: 'via-get' });
});

test('malformed input never crashes: huge, deep, binary and odd queries get ZEGO envelopes', async () => {
  const deep = '['.repeat(100000) + ']'.repeat(100000);
  assert.equal((await zego.send('RegisterAgent', undefined, { rawBody: deep })).json.Code, 410000004);
  // Nesting is accepted up to 128 levels (the body object itself is the first); deeper is a parse error.
  const params = (levels) => JSON.parse('{"a":'.repeat(levels) + '1' + '}'.repeat(levels));
  const nested = { AgentId: 'deep', LLM: { Url: 'u', ApiKey: 'k', Model: 'm', Params: params(125) } };
  assert.equal((await zego.send('RegisterAgent', nested)).json.Code, 0);
  await zego.ok('UnregisterAgent', { AgentId: 'deep' });
  const tooDeep = { AgentId: 'deep', LLM: { Url: 'u', ApiKey: 'k', Model: 'm', Params: params(500) } };
  assert.equal((await zego.send('RegisterAgent', tooDeep)).json.Code, 410000004);
  assert.equal((await zego.send('RegisterAgent', undefined, { rawBody: '\u0000\u00ff\ufffe' })).json.Code, 410000004);
  const badEncoding = await call(`${emu.url}/?Action=%ZZ&AppId=1234567890&SignatureVersion=2.0`, { method: 'POST', body: '{}' });
  assert.equal(envelopeOf(badEncoding).Code, 100000006);  // a pair that does not decode is dropped
  const raw = await rawExchange(emu.port, 'POST /?AppId=1&SignatureVersion=2.0&Action=ListAgents HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{{{');
  assert.match(raw.data, /^HTTP\/1\.1 200/);
  assert.match(raw.data, /"Code":100000010/);
  assert.equal((await call(`${emu.url}/_emulator/health`)).status, 200);
});

test('nonce replay is refused only when the app opts in', async () => {
  const query = zego.query('ListAgents');
  assert.equal((await call(`${emu.url}/?${query}`, { method: 'POST', json: {} })).json.Code, 0);
  assert.equal((await call(`${emu.url}/?${query}`, { method: 'POST', json: {} })).json.Code, 0);
  await mergeZego(emu.url, { apps: [{ AppId: defaultApp.appId, RejectNonceReplay: true }] });
  try {
    const fresh = zego.query('ListAgents');
    assert.equal((await call(`${emu.url}/?${fresh}`, { method: 'POST', json: {} })).json.Code, 0);
    const replay = await call(`${emu.url}/?${fresh}`, { method: 'POST', json: {} });
    assert.equal(replay.json.Code, 100000004);
    assert.match(replay.json.Message, /SignatureNonce/);
  } finally {
    await mergeZego(emu.url, { apps: [{ AppId: defaultApp.appId, RejectNonceReplay: false }] });
  }
});

test('the documented 10 requests/second per action per AppId is enforced only when turned on', async () => {
  const other = zegoClient(emu.url, { appId: 777, secret: 'fedcba9876543210fedcba9876543210' });
  await mergeZego(emu.url, { apps: [{ AppId: 777, ServerSecret: other.secret, RateLimitPerSecond: 10 }] });
  // Off for the default app: 15 calls at once all pass.
  const free = await Promise.all(Array.from({ length: 15 }, () => zego.code('ListAgents', {})));
  assert.deepEqual(new Set(free), new Set([0]));
  // On for app 777: the 11th ListAgents inside one second is refused; another action is not.
  const codes = [];
  for (let i = 0; i < 11; i++) codes.push(await other.code('ListAgents', {}));
  assert.deepEqual(codes.slice(0, 10), Array(10).fill(0));
  assert.equal(codes[10], 410000007);
  assert.equal(await other.code('QueryAgents', { AgentIds: [] }), 0);
  const r = await other.send('ListAgents', {});
  assert.match(r.json.Message, /10 times\/second/);
  // A second later (emulator clock) the window has moved on.
  await shiftClock(emu.url, 2, other, zego);
  assert.equal(await other.code('ListAgents', {}), 0);
  await shiftClock(emu.url, 0, other, zego);
});

test('the signature is md5(AppId + SignatureNonce + ServerSecret + Timestamp)', async () => {
  assert.equal(signature(12345, '4fd24687296dd9f3', '9193cc662a4c0ec135ec71fb57194b38', 1615186943), '43e5cfcca828314675f91b001390566a');
  const ts = String(Math.floor(Date.now() / 1000));
  const sig = signature(defaultApp.appId, 'abc', defaultApp.secret, ts);
  const q = `Action=ListAgents&AppId=${defaultApp.appId}&SignatureNonce=abc&Timestamp=${ts}&Signature=${sig}&SignatureVersion=2.0`;
  assert.equal((await call(`${emu.url}/?${q}`, { method: 'POST', json: {} })).json.Code, 0);
  const other = signature(defaultApp.appId, 'abd', defaultApp.secret, ts);
  assert.equal((await call(`${emu.url}/?${q.replace(sig, other)}`, { method: 'POST', json: {} })).json.Code, 100000005);
});

test('--auth lenient accepts any signature, any timestamp and any AppId, but not a malformed request', async () => {
  const lenient = await startEmulator({ args: ['--auth', 'lenient'] });
  try {
    const stranger = zegoClient(lenient.url, { appId: 987654, secret: 'not-the-secret' });
    assert.equal(await stranger.code('ListAgents', {}, { query: { Signature: 'x', Timestamp: '1' } }), 0);
    await stranger.ok('RegisterAgent', { AgentId: 'lenient' });
    assert.equal((await stranger.ok('ListAgents', {})).Total, 1);
    assert.equal(await stranger.code('ListAgents', {}, { query: { SignatureVersion: '1.0' } }), 100000014);
    assert.equal(await stranger.code('ListAgents', {}, { query: { Timestamp: 'now' } }), 100000003);
    assert.equal(await stranger.code('ListAgents', {}, { query: { AppId: 'app' } }), 100000001);
  } finally {
    await stopCleanly(lenient);
  }
});
