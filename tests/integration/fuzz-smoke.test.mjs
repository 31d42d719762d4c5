// Seeded random mutations of real requests for every vendor: wrong types, absurd sizes, broken
// JSON and encodings, odd paths and headers. Nothing may answer 500 (none of these inputs can
// reach the one documented 500, REST's "Failed to stop agent runtime"), every request is
// journaled exactly once, and the server stays healthy. Strict mode exercises the gateways;
// lenient mode lets the mutations through to validation and the handlers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, stopCleanly, call } from '../support/emulator.mjs';

const ARN = encodeURIComponent('arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/echo_agent-a1b2c3d4e5');
const ELIZA = '550e8400-e29b-41d4-a716-446655440000';
const AGENT = '39f8e0bc005e4f309379701645f4a001';
const zegoQuery = (action) =>
  `Action=${action}&AppId=1234567890&SignatureNonce=abcdef0123456789&Timestamp=${Math.floor(Date.now() / 1000)}` +
  '&Signature=00000000000000000000000000000000&SignatureVersion=2.0';
const iceQuery = (action) => `Action=${action}&Version=2020-11-09&Format=JSON&AccessKeyId=testid&SignatureMethod=HMAC-SHA1` +
  `&SignatureVersion=1.0&SignatureNonce=n${Math.random()}&Timestamp=${new Date().toISOString().slice(0, 19)}Z&Signature=x`;

// Requests that are valid in shape; the fuzzer bends them.
const seeds = [
  { method: 'PUT', path: '/code-interpreters/aws.codeinterpreter.v1/sessions/start', json: { name: 'fuzz', sessionTimeoutSeconds: 900 } },
  { method: 'PUT', path: '/browsers/aws.browser.v1/sessions/start', json: { name: 'fuzz', viewPort: { width: 1280, height: 720 } } },
  { method: 'POST', path: '/code-interpreters/aws.codeinterpreter.v1/sessions/list', json: { maxResults: 5, status: 'READY' } },
  { method: 'POST', path: '/code-interpreters/aws.codeinterpreter.v1/tools/invoke', json: { name: 'executeCode', arguments: { code: 'print(1)', language: 'python' } },
    headers: { 'x-amzn-code-interpreter-session-id': 'ABC123' } },
  { method: 'POST', path: `/runtimes/${ARN}/invocations`, json: { prompt: 'hi' },
    headers: { 'x-amzn-bedrock-agentcore-runtime-session-id': 'fuzz-session-000000000000000000000001' } },
  { method: 'POST', path: `/runtimes/${ARN}/stopruntimesession`, json: { clientToken: 'fuzztoken000000000000000000000000001' },
    headers: { 'x-amzn-bedrock-agentcore-runtime-session-id': 'fuzz-session-000000000000000000000001' } },
  { method: 'POST', path: '/', form: () => `${iceQuery('StartAIAgentInstance')}&AIAgentId=${AGENT}&RuntimeConfig=${encodeURIComponent('{"ChannelId":"c1"}')}` },
  { method: 'POST', path: '/', form: () => `${iceQuery('ListAIAgentInstance')}&AIAgentId=${AGENT}&PageSize=10&PageNumber=1` },
  { method: 'POST', path: '/', form: () => `${iceQuery('SendAIAgentSpeech')}&InstanceId=abc&Text=hello&EnableInterrupt=true` },
  { method: 'POST', query: () => zegoQuery('RegisterAgent'), json: { AgentId: 'fuzz', Name: 'n', LLM: { Url: 'https://x', ApiKey: 'k', Model: 'm' }, TTS: { Vendor: 'ByteDance', Params: {} } } },
  { method: 'POST', query: () => zegoQuery('CreateAgentInstance'), json: { AgentId: 'fuzz', UserId: 'u', RTC: { RoomId: 'r', AgentStreamId: 'a', AgentUserId: 'b', UserStreamId: 'c' } } },
  { method: 'POST', query: () => zegoQuery('DeleteAgentInstance'), json: { AgentInstanceId: '1', GracefulShutdown: true, GracefulShutdownTimeout: 5 } },
  { method: 'POST', path: '/agents', json: { name: 'fuzz', bio: 'b', topics: ['x'], settings: { model: 'm' } } },
  { method: 'PATCH', path: `/agents/${ELIZA}`, json: { name: 'renamed', enabled: true } },
  { method: 'POST', path: `/agents/${ELIZA}/stop`, json: { graceful: true, timeout: 10 } },
  { method: 'GET', path: '/agents', query: () => 'status=active&offset=0&limit=5' },
  { method: 'POST', path: '/api/agents', json: { characterJson: { name: 'Fuzz', bio: ['b'] } } },
];

function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function nasty(rand) {
  const choices = [
    () => null, () => -1, () => 0, () => 2 ** 53 + 1, () => -1e308, () => 1.5, () => true, () => '',
    () => 'x'.repeat(1 + Math.floor(rand() * 5000)), () => '\u0000\u001f"\\', () => '\ud83d\ude00'.repeat(50),
    () => [], () => [null, 1, 'a'], () => ({}), () => ({ nested: { deeper: [1, { x: null }] } }),
    () => '../../etc/passwd', () => '%00%zz', () => '{"not":"parsed"}',
  ];
  return choices[Math.floor(rand() * choices.length)]();
}

function mutateJson(value, rand, depth = 0) {
  if (value === null || typeof value !== 'object' || depth > 3) return rand() < 0.3 ? nasty(rand) : value;
  const copy = Array.isArray(value) ? [...value] : { ...value };
  for (const key of Object.keys(copy)) {
    const roll = rand();
    if (roll < 0.15) delete copy[key];
    else if (roll < 0.45) copy[key] = nasty(rand);
    else copy[key] = mutateJson(copy[key], rand, depth + 1);
  }
  if (rand() < 0.2) copy[`extra${Math.floor(rand() * 100)}`] = nasty(rand);
  return copy;
}

function mutateText(text, rand) {
  const roll = rand();
  if (roll < 0.25) return text.slice(0, Math.floor(rand() * text.length));          // truncated
  if (roll < 0.4) return text.replace(/=([^&]*)/, '=%G1');                          // broken escape
  if (roll < 0.55) return `${text}&${text.split('&')[Math.floor(rand() * 3)] ?? 'a=b'}`; // duplicates
  if (roll < 0.65) return `${text}&${'k'.repeat(200)}=${'v'.repeat(2000)}`;
  if (roll < 0.75) return text.replace(/[0-9]/g, () => String(Math.floor(rand() * 10)));
  return text;
}

function build(seed, rand) {
  const request = { method: seed.method, path: seed.path ?? '/', headers: { ...(seed.headers ?? {}) }, body: undefined };
  let query = seed.query ? seed.query() : '';
  if (seed.json !== undefined) {
    const roll = rand();
    const body = JSON.stringify(mutateJson(seed.json, rand));
    request.body = roll < 0.08 ? body.slice(0, Math.floor(body.length / 2)) : roll < 0.12 ? '[[[[[[[[[[' + '['.repeat(5000) : body;
    request.headers['content-type'] = rand() < 0.1 ? 'text/plain' : 'application/json';
  }
  if (seed.form) {
    request.body = mutateText(seed.form(), rand);
    request.headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  if (query) query = mutateText(query, rand);
  if (rand() < 0.1) request.path = request.path.replace(/\/[^/]*$/, `/${encodeURIComponent(nasty(rand)?.toString?.() ?? 'null')}`);
  if (rand() < 0.05) request.method = ['DELETE', 'PUT', 'GET', 'OPTIONS'][Math.floor(rand() * 4)];
  if (request.method === 'GET') request.body = undefined;  // fetch sends no body with GET
  request.url = request.path + (query ? `?${query}` : '');
  return request;
}

async function fuzz(args, seed, count) {
  const emu = await startEmulator({ args });
  try {
    const rand = random(seed);
    const failures = [];
    for (let i = 0; i < count; i++) {
      const request = build(seeds[i % seeds.length], rand);
      const r = await call(emu.url + request.url, { method: request.method, headers: request.headers, body: request.body });
      if (r.status >= 500) failures.push(`${request.method} ${request.url.slice(0, 120)} -> ${r.status} ${r.text.slice(0, 200)}`);
    }
    assert.deepEqual(failures, [], 'no input may produce a 500');
    const journal = await call(`${emu.url}/_emulator/requests/count`);
    assert.equal(journal.json.count, count, 'every request is journaled exactly once');
    assert.equal((await call(`${emu.url}/_emulator/health`)).status, 200);
  } finally {
    await stopCleanly(emu);
  }
}

test('mutated requests in strict mode never produce a 500', async () => fuzz([], 20261122, 600));
test('mutated requests in lenient mode never produce a 500', async () => fuzz(['--auth', 'lenient'], 7, 900));
