// The soak: full load on all four vendors with signed requests (SigV4, ICE V2 and V3, ZEGO
// Signature 2.0) while scenarios/soak-connection-resets.json resets 5% of the calls, then the
// checks scripts/soak documents. Prints one line per minute and a summary; exits 1 when a check
// fails.
//
//   node scripts/lib/soak.mjs --binary PATH [--minutes N] [--seconds N] [--connections N] [--max-rss-mb N]
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import { sign, RUNTIME_ARN, CODE_INTERPRETER } from '../../tests/support/agentcore.mjs';
import { v2Request, v3Request, VOICE_AGENT } from '../../tests/support/ice.mjs';
import { signature as zegoSignature, defaultApp, rtc } from '../../tests/support/zego.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const binary = option('binary', path.join(root, 'build/agentemu'));
const seconds = Number(option('seconds', String(Number(option('minutes', '10')) * 60)));
const connections = Number(option('connections', '32'));
const maxRssMb = Number(option('max-rss-mb', '512'));

// ---- the server --------------------------------------------------------------------------------

const child = spawn(binary, ['--port', '0', '--log-level', 'warn', '--threads', '2',
  '--scenarios', path.join(root, 'scenarios/soak-connection-resets.json')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
let stderr = '';
child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-20000); });
const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
const port = await new Promise((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
    const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
    if (m) resolve(Number(m[1]));
  });
  exited.then((code) => reject(new Error(`agentemu exited (${code}) before listening\n${stderr}`)));
});
const host = `127.0.0.1:${port}`;
const base = `http://${host}`;

const fdCount = () => fs.readdirSync(`/proc/${child.pid}/fd`).length;
const rssMb = () => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
};

// ---- the client: keep-alive connections, each answer or reset counted -------------------------

const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const seen = { answers: 0, resets: 0, byStatus: {}, otherErrors: [] };

function request(method, target, { headers = {}, body } = {}) {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: target, agent,
      headers: { ...headers, ...(body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {}) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        seen.answers += 1;
        seen.byStatus[res.statusCode] = (seen.byStatus[res.statusCode] ?? 0) + 1;
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, json });
      });
      res.on('error', () => {});
    });
    req.on('error', (error) => {
      // The injected fault: a TCP reset, seen as ECONNRESET or a socket closed before any answer.
      if (error.code === 'ECONNRESET' || error.message === 'socket hang up') {
        seen.resets += 1;
      } else if (seen.otherErrors.length < 20) {
        seen.otherErrors.push(`${method} ${target}: ${error.message}`);
      }
      resolve({ status: 0 });
    });
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const admin = async (target, init = {}) => {
  const res = await fetch(`${base}${target}`, init);
  return { status: res.status, text: await res.text() };
};

// ---- the load: signed calls on every vendor, pairs that create and remove ---------------------

async function agentcore(path, method, payload, { query = '', headers: extra = {} } = {}) {
  const body = payload === undefined ? '' : JSON.stringify(payload);
  const headers = sign({ method, host, path, query, body, headers: { ...extra, ...(body ? { 'content-type': 'application/json' } : {}) } });
  delete headers.host;
  return request(method, query ? `${path}?${query}` : path, { headers, body: body || undefined });
}

async function ice(version, action, params) {
  const { url, init } = version === 2 ? v2Request(base, { action, params }) : v3Request(base, { action, params });
  return request(init.method, url.slice(base.length), { headers: init.headers ?? {}, body: init.body });
}

async function zego(action, payload) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = crypto.randomBytes(8).toString('hex');
  const query = new URLSearchParams({ Action: action, AppId: String(defaultApp.appId), SignatureNonce: nonce, Timestamp: timestamp,
    Signature: zegoSignature(defaultApp.appId, nonce, defaultApp.secret, timestamp), SignatureVersion: '2.0' });
  return request('POST', `/?${query}`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
}

// A stop (or delete) that the reset scenario may eat is retried, as a client would.
async function retried(send) {
  for (let i = 0; i < 4; i++) {
    const r = await send();
    if (r.status !== 0) return r;
  }
  return { status: 0 };
}

const arn = encodeURIComponent(RUNTIME_ARN);
const ciPath = `/code-interpreters/${CODE_INTERPRETER}/sessions`;
const steps = [
  () => agentcore(`${ciPath}/get`, 'GET', undefined, { query: 'sessionId=SOAK0000' }),
  async () => {
    const started = await agentcore(`${ciPath}/start`, 'PUT', { name: 'soak', sessionTimeoutSeconds: 60 });
    const id = started.json?.sessionId;
    if (id) await retried(() => agentcore(`${ciPath}/stop`, 'PUT', {}, { query: `sessionId=${id}` }));
  },
  () => agentcore(`/runtimes/${arn}/invocations`, 'POST', { prompt: 'soak' },
    { headers: { 'x-amzn-bedrock-agentcore-runtime-session-id': `soak-${crypto.randomUUID()}` } }),
  () => ice(3, 'DescribeAIAgentInstance', { InstanceId: 'soak-unknown' }),
  async () => {
    const started = await ice(2, 'StartAIAgentInstance', { AIAgentId: VOICE_AGENT,
      RuntimeConfig: JSON.stringify({ VoiceChat: { AgentUserId: 'soak', ChannelId: 'soak', AuthToken: 't' } }) });
    const id = started.json?.InstanceId;
    if (id) await retried(() => ice(3, 'StopAIAgentInstance', { InstanceId: id }));
  },
  () => zego('QueryAgentInstanceStatus', { AgentInstanceId: 'soak-unknown' }),
  async () => {
    const created = await zego('CreateAgentInstance', { AgentId: 'soak', UserId: 'soak', RTC: rtc(1) });
    const id = created.json?.Data?.AgentInstanceId;
    if (id) await retried(() => zego('DeleteAgentInstance', { AgentInstanceId: id }));
  },
  () => request('GET', '/agents/550e8400-e29b-41d4-a716-446655440000'),
  async () => {
    const created = await request('POST', '/agents', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'soak' }) });
    const id = created.json?.data?.agentId ?? created.json?.data?.id;
    if (id) await retried(() => request('DELETE', `/agents/${id}`));
  },
];

// ---- run ---------------------------------------------------------------------------------------

let failed = false;
const check = (ok, text) => {
  console.log(`soak: ${ok ? 'ok  ' : 'FAIL'} ${text}`);
  if (!ok) failed = true;
};
try {
  // ZEGO's soak agent; the emulator is otherwise as the default fixtures leave it.
  await zego('RegisterAgent', { AgentId: 'soak', Name: 'soak', LLM: { Url: 'https://llm.example/v1', ApiKey: 'k', Model: 'm' },
    TTS: { Vendor: 'ByteDance', Params: { app: { appid: 'a', token: 't', cluster: 'c' } } } });
  seen.answers = 0;
  seen.resets = 0;
  seen.byStatus = {};
  const fdsBefore = fdCount();
  const recordedBefore = await newestId();
  const countedBefore = await countedRequests();

  let peakRss = rssMb();
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  let lastReport = started;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssMb());
    if (Date.now() - lastReport >= 60000) {
      lastReport = Date.now();
      const total = seen.answers + seen.resets;
      console.log(`soak: ${Math.round((Date.now() - started) / 1000)} s, ${total} requests ` +
        `(${Math.round(total / ((Date.now() - started) / 1000))}/s), rss ${Math.round(rssMb())} MiB`);
    }
  }, 1000);
  let next = 0;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (Date.now() < deadline) await steps[next++ % steps.length]();
  }));
  clearInterval(sampler);
  const elapsed = (Date.now() - started) / 1000;
  agent.destroy();

  const total = seen.answers + seen.resets;
  const recorded = (await newestId()) - recordedBefore;
  console.log(`soak: ${total} requests in ${elapsed.toFixed(0)} s (${Math.round(total / elapsed)}/s) over ${connections} ` +
    `connections; ${seen.resets} reset; statuses ${JSON.stringify(seen.byStatus)}`);
  check(seen.otherErrors.length === 0, `no client errors but resets ${seen.otherErrors.slice(0, 5).join('; ')}`);
  check(recorded === total, `the journal recorded ${recorded} requests; the client saw ${seen.answers} answers + ${seen.resets} resets`);
  const after = await countedRequests();
  // What answered with an error, from the metrics: vendor errors are expected (unknown ids,
  // throttling, state conflicts); the line shows which.
  const errorRows = [...(await admin('/metrics')).text.matchAll(/^agentemu_requests_total\{vendor="([^"]*)",operation="([^"]*)",status="([4-9][0-9][0-9])"\} (\d+)$/gm)]
    .map((m) => `${m[1]} ${m[2]} ${m[3]}: ${m[4]}`);
  console.log(`soak: error answers by operation: ${errorRows.join(', ') || 'none'}`);
  const delta = (status) => (after[status] ?? 0) - (countedBefore[status] ?? 0);
  const countedTotal = Object.keys(after).reduce((n, status) => n + delta(status), 0);
  check(countedTotal === total, `metrics counted ${countedTotal} requests`);
  check(delta('connection_reset') === seen.resets, `metrics counted ${delta('connection_reset')} resets`);
  const clientErrors = Object.entries(seen.byStatus).filter(([s]) => Number(s) >= 500).reduce((n, [, c]) => n + c, 0);
  const serverErrors = Object.keys(after).filter((s) => /^5/.test(s)).reduce((n, s) => n + delta(s), 0);
  check(clientErrors === 0 && serverErrors === 0, `no server errors (the client saw ${clientErrors}, metrics ${serverErrors})`);
  check(peakRss < maxRssMb, `peak RSS ${Math.round(peakRss)} MiB < ${maxRssMb} MiB`);
  let fdsAfter = fdCount();
  for (let i = 0; i < 50 && fdsAfter > fdsBefore; i++) {
    await new Promise((r) => setTimeout(r, 100));
    fdsAfter = fdCount();
  }
  check(fdsAfter <= fdsBefore, `file descriptors back to ${fdsAfter} (${fdsBefore} before the load)`);
  const health = await admin('/_emulator/health');
  check(health.status === 200, `health answers ${health.status}`);
} catch (error) {
  console.log(`soak: FAIL ${error.stack}`);
  failed = true;
} finally {
  child.kill('SIGTERM');
  const code = await exited;
  check(code === 0, `agentemu exited ${code}${code === 0 ? '' : `\n${stderr}`}`);
}
process.exit(failed ? 1 : 0);

// The id of the newest journal entry: every recorded request takes the next one, so the
// difference counts requests however few entries the journal keeps.
async function newestId() {
  const { text } = await admin('/_emulator/requests?limit=1');
  const [entry] = JSON.parse(text).requests;
  return entry ? entry.id : 0;
}

// agentemu_requests_total summed by status (or network fault).
async function countedRequests() {
  const { text } = await admin('/metrics');
  const out = {};
  for (const m of text.matchAll(/^agentemu_requests_total\{[^}]*status="([^"]+)"\} (\d+)$/gm)) {
    out[m[1]] = (out[m[1]] ?? 0) + Number(m[2]);
  }
  return out;
}
