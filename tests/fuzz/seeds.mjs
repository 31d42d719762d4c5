// Builds the fuzz targets' seed corpora (tests/fuzz/corpus/<target>) from what the tests send:
// the requests of the integration suites' clients for every vendor, signed at the instant the
// fuzz world's clock is frozen at (tests/fuzz/support/world.hpp), read back from the journal as
// raw HTTP; the fixture and scenario files the tests load; and the globs and values the scenario
// and validation tests match. File names are content hashes; nonces and ids are fixed, but the
// signed Host header carries each run's port, so to rebuild the corpus remove it first.
//
//   node tests/fuzz/seeds.mjs          (needs a built agentemu: AGENTEMU_BIN or build/agentemu)
//   node tests/fuzz/seeds.mjs --presigned   (only the presigned SigV4 seeds: no agentemu needed)
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startEmulator, stopCleanly, call, sourceDir } from '../support/emulator.mjs';
import { sign, RUNTIME_ARN, CODE_INTERPRETER, BROWSER } from '../support/agentcore.mjs';
import { v2Request, v3Request, send, VOICE_AGENT } from '../support/ice.mjs';
import { zegoClient, rtc, llm, tts } from '../support/zego.mjs';
import { ELIZA, BOB } from '../support/rest.mjs';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';

const FUZZ_NOW = new Date('2025-06-01T00:00:00Z');  // kFuzzNow
const corpus = path.join(sourceDir, 'tests/fuzz/corpus');
let written = 0;

function save(target, bytes) {
  const data = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8');
  const dir = path.join(corpus, target);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, crypto.createHash('sha1').update(data).digest('hex'));
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, data);
    written += 1;
  }
}

const nul = '\0';
const headerLines = (headers) => Object.entries(headers).map(([k, v]) => `${k}: ${v}\n`).join('');

async function agentcoreRequests(url) {
  const host = new URL(url).host;
  const arn = encodeURIComponent(RUNTIME_ARN);
  const session = 'session-fuzz-00000000-0000-4000-8000-000000000001';
  const requests = [
    { method: 'PUT', path: `/code-interpreters/${CODE_INTERPRETER}/sessions/start`, body: { name: 'fuzz', sessionTimeoutSeconds: 900 } },
    { method: 'POST', path: `/code-interpreters/${CODE_INTERPRETER}/sessions/list`, body: { maxResults: 5, status: 'READY' } },
    { method: 'GET', path: `/code-interpreters/${CODE_INTERPRETER}/sessions/get`, query: 'sessionId=ABC123' },
    { method: 'POST', path: `/code-interpreters/${CODE_INTERPRETER}/tools/invoke`, body: { name: 'executeCode', arguments: { code: 'print(1)', language: 'python' } },
      headers: { 'x-amzn-code-interpreter-session-id': 'ABC123' } },
    { method: 'PUT', path: `/browsers/${BROWSER}/sessions/start`, body: { name: 'fuzz', viewPort: { width: 1280, height: 720 } } },
    { method: 'POST', path: `/runtimes/${arn}/invocations`, query: 'qualifier=prod', body: { prompt: 'hi' },
      headers: { 'x-amzn-bedrock-agentcore-runtime-session-id': session } },
    { method: 'POST', path: `/runtimes/${arn}/stopruntimesession`, body: { clientToken: 'fault-0000000000000000000000000000001' },
      headers: { 'x-amzn-bedrock-agentcore-runtime-session-id': `throttle-${session}` } },
  ];
  for (const r of requests) {
    const body = r.body === undefined ? '' : JSON.stringify(r.body);
    const headers = sign({ method: r.method, host, path: r.path, query: r.query ?? '', body, date: FUZZ_NOW,
      headers: { ...(r.headers ?? {}), ...(body ? { 'content-type': 'application/json' } : {}) } });
    delete headers.host;
    await call(`${url}${r.path}${r.query ? `?${r.query}` : ''}`, { method: r.method, headers, body: body || undefined });
  }
}

async function iceRequests(url) {
  const timestamp = '2025-06-01T00:00:00Z';
  const actions = [
    ['StartAIAgentInstance', { AIAgentId: VOICE_AGENT, RuntimeConfig: JSON.stringify({ VoiceChat: { AgentUserId: 'a', ChannelId: 'c1', AuthToken: 't' } }) }],
    ['DescribeAIAgentInstance', { InstanceId: 'abc' }],
    ['ListAIAgentInstance', { AIAgentId: VOICE_AGENT, PageSize: '10', PageNumber: '1', StartTime: timestamp }],
    ['StopAIAgentInstance', { InstanceId: 'throttle-1' }],
    ['SendAIAgentSpeech', { InstanceId: 'abc', Text: 'hello', EnableInterrupt: 'true' }],
    ['GetAIAgentConcurrency', { AIAgentId: VOICE_AGENT }],
  ];
  let n = 0;
  const nonce = () => `fuzz-nonce-${n++}`;
  for (const [action, params] of actions) {
    await send(v2Request(url, { action, params, timestamp, signatureNonce: nonce() }));
    await send(v2Request(url, { action, params, timestamp, method: 'POST', inBody: true, format: 'XML', signatureNonce: nonce() }));
    await send(v3Request(url, { action, params, date: timestamp, signatureNonce: nonce() }));
  }
}

async function zegoRequests(url) {
  const zego = zegoClient(url);
  let n = 0;
  const signed = { get Timestamp() { return String(FUZZ_NOW.getTime() / 1000); }, get SignatureNonce() { return `fuzznonce${n++}`; } };
  const send = (action, body) => zego.send(action, body, { query: { Timestamp: signed.Timestamp, SignatureNonce: signed.SignatureNonce } });
  await send('RegisterAgent', { AgentId: 'fuzz', Name: 'n', LLM: llm, TTS: tts });
  await send('ListAgents', {});
  await send('CreateAgentInstance', { AgentId: 'fuzz', UserId: 'u', RTC: rtc(1) });
  await send('QueryAgentInstanceStatus', { AgentInstanceId: '1' });
  await send('SendAgentInstanceLLM', { AgentInstanceId: '1', Text: 'hi' });
  await send('DeleteAgentInstance', { AgentInstanceId: '1', GracefulShutdown: true, GracefulShutdownTimeout: 5 });
  await send('CreateDigitalHumanAgentInstance', { AgentId: 'fault', UserId: 'u', RTC: rtc(2), DigitalHuman: { DigitalHumanId: 'd' } });
}

async function restRequests(url) {
  const json = (method, p, body) => call(`${url}${p}`, { method, json: body });
  await json('POST', '/agents', { name: 'fuzz', bio: 'b', topics: ['x'], settings: { model: 'm' } });
  await call(`${url}/agents?status=active&offset=0&limit=5`);
  await json('PATCH', `/agents/${ELIZA}`, { name: 'renamed', enabled: true });
  await json('POST', `/agents/${ELIZA}/stop`, { graceful: true, timeout: 100 });
  await json('POST', `/agents/${BOB}/start`, {});
  await json('POST', '/api/agents', { characterJson: { name: 'Fuzz', bio: ['b'] } });
  await call(`${url}/api/agents/${BOB}`, { method: 'DELETE' });
}

// Admin requests are not journaled: written as raw HTTP directly.
function adminSeeds() {
  const request = (method, target, body = '') =>
    `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const seeds = [
    request('GET', '/_emulator/state?vendor=zego&secrets=true'),
    request('GET', '/_emulator/requests/count?status=4xx'),
    request('GET', '/_emulator/requests?vendor=ice&limit=2'),
    request('PUT', '/_emulator/clock', '{"offsetSeconds":60}'),
    request('PUT', '/_emulator/clock', '{"now":"2199-12-31T23:59:59Z"}'),
    request('PUT', '/_emulator/scenarios/x', '{"rules":[{"match":{"vendor":"rest"},"respond":"pass"}]}'),
    request('POST', '/_emulator/state', '{"zego":{"apps":[{"AppId":1234567890,"ServerSecret":"<redacted>"}]}}'),
    request('POST', '/_emulator/reset'),
    request('GET', '/metrics'),
  ];
  for (const raw of seeds) save('http', `\x00${raw}`);
}

// Every journal entry of the run as raw HTTP/1.1, in strict (first byte 0) and lenient (1) form.
function rawRequests(entries) {
  const byVendor = {};
  for (const e of entries) {
    const target = `${e.path}${e.query ? `?${e.query}` : ''}`;
    const headers = { ...e.headers };
    const head = `${e.method} ${target} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
    const raw = head + e.body;
    save('http', `\x00${raw}`);
    save('http', `\x01${raw}`);
    (byVendor[e.vendor] ??= []).push({ e, raw });
  }
  // A few inputs that carry several requests, as a keep-alive connection does.
  for (const list of Object.values(byVendor)) save('http', `\x00${list.slice(0, 4).map((x) => x.raw).join('')}`);
  return byVendor;
}

function gatewaySeeds(byVendor) {
  for (const { e } of byVendor.agentcore ?? []) {
    save('sigv4', [e.method, e.path, e.query, headerLines(e.headers), e.body].join(nul));
  }
  for (const { e } of byVendor.ice ?? []) save('ice_sign', [e.method, e.query, headerLines(e.headers), e.body].join(nul));
  for (const { e } of byVendor.zego ?? []) save('zego_params', [e.query, e.body, e.headers.host ?? ''].join(nul));
  for (const list of Object.values(byVendor)) {
    for (const { e } of list) if (e.body.startsWith('{')) save('json', `\x00${e.body}`);
  }
}

function fileSeeds() {
  const read = (p) => fs.readFileSync(path.join(sourceDir, p), 'utf8');
  const scenarioFiles = fs.readdirSync(path.join(sourceDir, 'scenarios')).map((f) => `scenarios/${f}`);
  scenarioFiles.push('tests/fuzz/scenario.json');
  for (const f of scenarioFiles) {
    save('scenario', read(f));
    save('json', `\x01${read(f)}`);
  }
  const fixtureFiles = ['fixtures/default.json', 'scripts/lib/bench/fixtures/ice.json',
    ...fs.readdirSync(path.join(sourceDir, 'tests/unit/data')).map((f) => `tests/unit/data/${f}`)];
  for (const f of fixtureFiles) {
    save('fixture', read(f));
    save('json', `\x01${read(f)}`);
  }
}

function matchSeeds() {
  const globs = [['/runtimes/*', '/runtimes/arn%3Aaws/invocations'], ['prod*', 'prod'], ['[a-z]*', 'abc'],
    ['[!0-9]?x', 'a1x'], ['*throttle*', 'session-throttle-1'], ['[]a]', ']'], ['[a-]*', '-'], ['*a*b*c', 'aXbYc'],
    ['room*', 'room1'], ['?*', ''], ['[^a-c]', 'd'], ['\u00e9*', '\u00e9t\u00e9']];
  for (const [glob, text] of globs) save('match', `\x00${glob}${nul}${text}`);
  const values = ['550e8400-e29b-41d4-a716-446655440000', 'ABC123', '123456789012', 'retry-0001', 'a b', 'example.com',
    'my-bucket.1', '+8613800000000', '100', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x', ''];
  for (let i = 0; i < 16; i++) for (const v of values) save('match', Buffer.concat([Buffer.from([2 * i + 1]), Buffer.from(v)]));
}

// Presigned SigV4 requests as the SDK's presigner makes them (X-Amz-* in the query, no
// Authorization header), for a fixed Host so they do not depend on a run's port: valid at the
// fuzz clock, with a session token, at the week's limit, already expired, and years away.
async function presignedSeeds() {
  const host = '127.0.0.1:4599';
  const variants = [
    { expiresIn: 300, signingDate: FUZZ_NOW },
    { expiresIn: 604800, signingDate: FUZZ_NOW, sessionToken: 'fuzz-session-token' },
    { expiresIn: 60, signingDate: new Date(FUZZ_NOW.getTime() - 120_000) },
    { expiresIn: 300, signingDate: new Date('9999-12-31T23:59:59Z') },
    { expiresIn: 300, signingDate: new Date('1970-01-01T00:00:00Z') },
  ];
  const targets = [
    { path: `/code-interpreters/${CODE_INTERPRETER}/sessions/get`, query: { sessionId: 'ABC123' } },
    { path: `/runtimes/${encodeURIComponent(RUNTIME_ARN)}/ws`, query: { qualifier: 'DEFAULT' } },
    { path: `/browser-streams/${BROWSER}/sessions/ABC123/automation`, query: {} },
  ];
  for (const { expiresIn, signingDate, sessionToken } of variants) {
    const signer = new SignatureV4({
      credentials: { accessKeyId: 'test', secretAccessKey: 'test', ...(sessionToken ? { sessionToken } : {}) },
      region: 'us-east-1', service: 'bedrock-agentcore', sha256: Sha256,
    });
    for (const t of targets) {
      const request = await signer.presign({ method: 'GET', protocol: 'http:', hostname: '127.0.0.1', port: 4599,
        path: t.path, query: t.query, headers: { host } }, { expiresIn, signingDate });
      const query = Object.entries(request.query).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
      save('sigv4', ['GET', request.path, query, headerLines({ host }), ''].join(nul));
      save('http', `\x00GET ${request.path}?${query} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    }
  }
}

await presignedSeeds();
if (process.argv.includes('--presigned')) {
  console.log(`fuzz seeds: ${written} new files under tests/fuzz/corpus`);
  process.exit(0);
}

const emu = await startEmulator({ args: ['--log-level', 'off'] });
try {
  await call(`${emu.url}/_emulator/clock`, { method: 'PUT', json: { now: FUZZ_NOW.toISOString() } });
  await agentcoreRequests(emu.url);
  await iceRequests(emu.url);
  await zegoRequests(emu.url);
  await restRequests(emu.url);
  const { json } = await call(`${emu.url}/_emulator/requests`);
  gatewaySeeds(rawRequests(json.requests));
  const state = await call(`${emu.url}/_emulator/state?secrets=true`);
  save('fixture', state.text);
  save('fixture', (await call(`${emu.url}/_emulator/state`)).text);
  adminSeeds();
  fileSeeds();
  matchSeeds();
} finally {
  await stopCleanly(emu);
}
console.log(`fuzz seeds: ${written} new files under tests/fuzz/corpus`);
