// Memory per live resource and startup time, each vendor in a process of its own.
//
// Memory: a fresh agentemu (default fixtures plus the bench fixtures, --journal-limit 0 so the
// journal's own budget is not counted) is warmed up with a few hundred resources, its RSS read
// from /proc, then N more resources are made through the vendor's own API and the RSS read
// again: (after - before) / N is what one live resource costs, allocator overhead included.
// Startup: the time from spawn to the listening line on stdout, with the default fixtures.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sign } from './targets/agentcore.mjs';
import { v3Request, VOICE_AGENT } from '../../../tests/support/ice.mjs';

const BENCH_ICE_KEY = { id: 'benchid', secret: 'benchsecret' };  // fixtures/ice.json: nonce reuse allowed
// An app of the memory run's own fixtures: the default app may hold only 10 instances.
const ZEGO_APP = { id: 1234567899, secret: 'fedcba9876543210fedcba9876543210' };
const RUNTIME_ARN = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/echo_agent-a1b2c3d4e5';
// AgentCore keeps at most 1000 READY sessions per tool and tenant (its quota), so the sessions are
// spread over the bench fixtures' code interpreters.
const SESSIONS_PER_TOOL = 1000;
const WARM_UP = 500;
const toolId = (n) => `bench_interpreter_${String(n).padStart(3, '0')}-0123456789`;

// The memory run's own fixtures: room for the ZEGO instances and the AgentCore sessions.
function memoryFixtures(work, count) {
  const file = path.join(work, 'memory-fixtures.json');
  const tools = Math.ceil((count + WARM_UP) / SESSIONS_PER_TOOL);
  fs.writeFileSync(file, JSON.stringify({
    zego: { apps: [{ AppId: ZEGO_APP.id, ServerSecret: ZEGO_APP.secret, InstanceLimit: 1000000 }] },
    agentcore: { codeInterpreters: Array.from({ length: tools }, (_, n) => ({ id: toolId(n) })) },
  }));
  return file;
}

export function agentemuArgs(root, extra = []) {
  const args = ['--port', '0', '--threads', '1', '--log-level', 'warn', '--fixtures', path.join(root, 'fixtures/default.json')];
  const benchFixtures = path.join(root, 'scripts/lib/bench/fixtures');
  if (fs.readdirSync(benchFixtures).some((f) => f.endsWith('.json'))) args.push('--fixtures', benchFixtures);
  return [...args, ...extra];
}

// Starts agentemu and answers once it prints its listening line, with the time that took.
export function spawnAgentemu(binary, args, cwd) {
  const started = process.hrtime.bigint();
  const child = spawn(binary, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1], startupMs: Number(process.hrtime.bigint() - started) / 1e6 });
    });
    child.on('exit', (code, signal) => reject(new Error(`agentemu exited with ${code ?? signal}`)));
  });
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

function rssBytes(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) * 1024;
}

async function expectOk(response, what) {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what} answered ${response.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : {};
}

function zegoQuery(action) {
  const nonce = crypto.randomBytes(8).toString('hex');
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = crypto.createHash('md5').update(`${ZEGO_APP.id}${nonce}${ZEGO_APP.secret}${timestamp}`).digest('hex');
  return `/?Action=${action}&AppId=${ZEGO_APP.id}&SignatureNonce=${nonce}&Timestamp=${timestamp}` +
    `&Signature=${signature}&SignatureVersion=2.0`;
}

async function zego(url, action, body) {
  const json = await expectOk(await fetch(url + zegoQuery(action), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  }), `zego ${action}`);
  if (json.Code !== 0) throw new Error(`zego ${action} answered ${JSON.stringify(json)}`);
  return json.Data ?? {};
}

// `signedPath` is the path as SigV4 canonicalises it (each segment encoded once more), when it differs.
async function agentcore(url, method, pathname, query, body, headers = {}, signedPath = pathname) {
  const host = new URL(url).host;
  const signed = sign({ method, host, path: signedPath, query, body, extra: headers });
  const response = await fetch(`${url}${pathname}${query ? `?${query}` : ''}`, {
    method, body, headers: { ...signed, 'content-type': 'application/json' },
  });
  return expectOk(response, `agentcore ${method} ${pathname}`);
}

// Each kind: an optional setup, then make(url, i) creates the i-th resource.
const kinds = [
  {
    name: 'rest agents',
    make: async (url, i) => expectOk(await fetch(`${url}/agents`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `bench-${i}` }),
    }), 'rest POST /agents'),
  },
  {
    name: 'zego agent instances',
    setup: async (url) => {
      await zego(url, 'RegisterAgent', {
        AgentId: 'bench_memory', LLM: { Url: 'https://llm.example/v1/chat/completions', ApiKey: 'bench', Model: 'bench' },
        TTS: { Vendor: 'ByteDance', Params: { app: { appid: 'bench' } } },
      });
    },
    make: (url, i) => zego(url, 'CreateAgentInstance', {
      AgentId: 'bench_memory', UserId: `user_${i}`,
      RTC: { RoomId: `room_${i}`, AgentStreamId: `agent_stream_${i}`, AgentUserId: `agent_${i}`, UserStreamId: `user_stream_${i}` },
    }),
  },
  {
    name: 'ice agent instances',
    make: async (url, i) => {
      const start = v3Request(url, {
        action: 'StartAIAgentInstance', key: BENCH_ICE_KEY,
        params: { AIAgentId: VOICE_AGENT, RuntimeConfig: JSON.stringify({ AgentUserId: `agent-${i}`, ChannelId: `channel-${i}` }) },
      });
      return expectOk(await fetch(start.url, start.init), 'ice StartAIAgentInstance');
    },
  },
  {
    name: 'agentcore code-interpreter sessions',
    make: (url, i) => {
      const pathname = `/code-interpreters/${toolId(Math.floor(i / SESSIONS_PER_TOOL))}/sessions/start`;
      return agentcore(url, 'PUT', pathname, '', JSON.stringify({ sessionTimeoutSeconds: 28800 }));
    },
  },
  {
    name: 'agentcore runtime sessions',
    // A tenant keeps at most 10,000 READY runtime sessions (the oldest end for new ones past
    // that, AgentCore README): more would measure the bound, not a session.
    limit: 10000 - WARM_UP,
    make: (url, i) => {
      const arn = encodeURIComponent(RUNTIME_ARN);
      const session = `bench-session-${String(i).padStart(12, '0')}-${'0'.repeat(16)}`;
      return agentcore(url, 'POST', `/runtimes/${arn}/invocations`, 'qualifier=DEFAULT', '{"prompt":"hi"}',
        { 'x-amzn-bedrock-agentcore-runtime-session-id': session }, `/runtimes/${encodeURIComponent(arn)}/invocations`);
    },
  },
];

async function makeMany(url, kind, from, to, parallel = 16) {
  let next = from;
  const worker = async () => {
    while (next < to) await kind.make(url, next++);
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

export async function measureResources({ binary, root, work, count, only }) {
  const fixtures = memoryFixtures(work, count);
  console.log(`\nmemory per live resource: ${count} made through each vendor's API in a fresh process ` +
    '(--journal-limit 0), RSS after minus RSS before (goal: under 300 bytes each)');
  console.log(`${'resource'.padEnd(40)}${'RSS before'.padStart(13)}${'RSS after'.padStart(13)}${'bytes each'.padStart(12)}  result`);
  let failed = 0;
  for (const kind of kinds.filter((k) => !only || k.name.includes(only))) {
    const made = Math.min(count, kind.limit ?? count);
    const agentemu = await spawnAgentemu(binary, agentemuArgs(root, ['--fixtures', fixtures, '--journal-limit', '0']), root);
    try {
      await kind.setup?.(agentemu.url);
      await makeMany(agentemu.url, kind, 0, WARM_UP);
      const before = rssBytes(agentemu.child.pid);
      await makeMany(agentemu.url, kind, WARM_UP, WARM_UP + made);
      const after = rssBytes(agentemu.child.pid);
      const each = (after - before) / made;
      const ok = each < 300;
      if (!ok) failed += 1;
      const name = made < count ? `${kind.name} (${made})` : kind.name;
      console.log(`${name.padEnd(40)}${`${(before / 2 ** 20).toFixed(1)} MiB`.padStart(13)}` +
        `${`${(after / 2 ** 20).toFixed(1)} MiB`.padStart(13)}${each.toFixed(0).padStart(12)}  ${ok ? 'ok' : 'ABOVE GOAL'}`);
    } finally {
      await stop(agentemu.child);
    }
  }
  return failed;
}

export async function measureStartup({ binary, root, runs = 21 }) {
  const times = [];
  for (let i = 0; i < runs; i += 1) {
    const agentemu = await spawnAgentemu(binary, agentemuArgs(root), root);
    times.push(agentemu.startupMs);
    await stop(agentemu.child);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const ok = median < 20;
  console.log(`\nstartup to the listening line, default and bench fixtures (${runs} starts): median ${median.toFixed(1)} ms, ` +
    `slowest ${times.at(-1).toFixed(1)} ms (goal: under 20 ms)  ${ok ? 'ok' : 'ABOVE GOAL'}`);
  return ok ? 0 : 1;
}
