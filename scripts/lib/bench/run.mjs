// Runs wrk against agentemu and nginx (and WireMock when its jar is installed) in one go.
// Each target is measured on agentemu, then nginx serves the very bytes agentemu answered, so
// the ratio compares the same body over the same kind of connection. Then: the cost of loaded
// scenario rules, of the journal, memory per live resource, startup time, and WireMock.
//
// Targets come from scripts/lib/bench/targets/*.mjs: each default-exports an async function returning
// [{name, goal, p99GoalMs?, signed?, reference?, method, path, headers?, body?, lua?, probe?, prepare?,
// expectStatus?}]. `goal` is the least ratio to nginx; a `signed` target must also reach
// SIGNED_GOAL of the `reference` target's req/s in the same run (REST GET: the same work without a
// signature); every p99 must stay under P99_GOAL_MS unless the target names its own.
// `lua` replaces the generated wrk script when a target needs a different request each time;
// `probe` is the request whose answer nginx serves; `prepare()` runs before every agentemu run
// (e.g. to put state back where the script expects it).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { measureInstructions } from './instructions.mjs';
import { agentemuArgs, measureResources, measureStartup, spawnAgentemu } from './resources.mjs';

const root = path.resolve(import.meta.dirname, '../../..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const duration = Number(option('duration', '8'));
const connections = Number(option('connections', '64'));
const only = option('only', '');
const binary = option('binary', path.join(root, 'build/agentemu'));
const extraScenarioRules = Number(option('scenario-rules', '100'));
const resourceCount = Number(option('resources', '100000'));
const SIGNED_GOAL = 0.85;
const P99_GOAL_MS = 1.5;
const JOURNAL_GOAL = 0.10;
let stopping = false;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'agentemu-bench-'));

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startAgentemu(extra = []) {
  const agentemu = await spawnAgentemu(binary, agentemuArgs(root, extra), root);
  let stopped = false;  // this one was asked to stop: its exit is expected
  agentemu.child.on('exit', (code, signal) => {
    if (!stopped && !stopping) console.error(`agentemu exited unexpectedly: ${code ?? signal}`);
  });
  const stop = () => { stopped = true; agentemu.child.kill('SIGTERM'); };
  return { ...agentemu, port: Number(new URL(agentemu.url).port), stop };
}

async function startNginx(targets) {
  const port = await freePort();
  const locations = targets.map((t, i) => `
    location = /t${i} { default_type "${t.contentType}"; alias ${path.join(work, `body${i}`)}; }`).join('');
  targets.forEach((t, i) => fs.writeFileSync(path.join(work, `body${i}`), t.responseBody));
  const conf = path.join(work, 'nginx.conf');
  fs.writeFileSync(conf, `
worker_processes 1;
daemon off;
pid ${work}/nginx.pid;
error_log ${work}/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path ${work}/nginx-body;
  proxy_temp_path ${work}/nginx-proxy;
  fastcgi_temp_path ${work}/nginx-fastcgi;
  uwsgi_temp_path ${work}/nginx-uwsgi;
  scgi_temp_path ${work}/nginx-scgi;
  server {
    listen 127.0.0.1:${port};
    error_page 405 =200 $uri;${locations}
  }
}`);
  const child = spawn('/usr/sbin/nginx', ['-c', conf, '-p', work], { stdio: 'inherit' });
  await waitForPort(port);
  return { child, port };
}

async function startWiremock(targets) {
  const packageDir = path.join(root, 'build/tools/wiremock/node_modules/wiremock/build');
  const jarName = fs.existsSync(packageDir) && fs.readdirSync(packageDir).find((f) => /^wiremock-standalone.*\.jar$/.test(f));
  const jar = jarName ? path.join(packageDir, jarName) : '';
  const java = spawnSync('java', ['-version']);
  if (!fs.existsSync(jar) || java.status !== 0) return null;
  const port = await freePort();
  const home = path.join(work, 'wiremock');
  fs.mkdirSync(path.join(home, 'mappings'), { recursive: true });
  targets.forEach((t, i) => fs.writeFileSync(path.join(home, 'mappings', `t${i}.json`), JSON.stringify({
    request: { urlPath: `/t${i}`, method: 'ANY' },
    response: { status: 200, base64Body: t.responseBody.toString('base64'), headers: { 'Content-Type': t.contentType } },
  })));
  const child = spawn('java', ['-jar', jar, '--port', String(port), '--root-dir', home, '--disable-request-logging',
    '--no-request-journal', '--disable-banner'], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort(port, 60000);
  return { child, port, jar };
}

function luaString(text) {
  return `"${[...Buffer.from(text)].map((b) => `\\${b}`).join('')}"`;
}

function wrkScript(target, file) {
  let lua = target.lua;
  if (!lua) {
    lua = `wrk.method = "${target.method}"\n`;
    if (target.body) lua += `wrk.body = ${luaString(target.body)}\n`;
    for (const [k, v] of Object.entries(target.headers ?? {})) lua += `wrk.headers[${luaString(k)}] = ${luaString(v)}\n`;
  }
  lua += `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.1f %.3f %d %d\\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(99) / 1000, e.status + e.connect + e.read + e.write + e.timeout, summary.requests))
  io.write(string.format("ERRORS connect=%d read=%d write=%d status=%d timeout=%d\\n",
    e.connect, e.read, e.write, e.status, e.timeout))
end
`;
  fs.writeFileSync(file, lua);
  return file;
}

// Asynchronous on purpose: a blocked event loop would miss agentemu closing idle keep-alive
// sockets, and the next fetch would be sent on a dead one.
function runWrk(url, script, seconds = duration, connectionCount = connections) {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', ['-t1', `-c${connectionCount}`, `-d${seconds}s`, '-s', script, url]);
    let out = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { out += c; });
    child.on('error', reject);
    child.on('exit', () => {
      const m = /RESULT (\S+) (\S+) (\d+) (\d+)/.exec(out);
      if (!m) return reject(new Error(`wrk failed: ${out}`));
      const detail = /ERRORS (.*)/.exec(out)?.[1] ?? '';
      resolve({ rps: Number(m[1]), p99: Number(m[2]), errors: Number(m[3]), requests: Number(m[4]), detail });
    });
  });
}

async function collectTargets(agentemu) {
  const folder = path.join(root, 'scripts/lib/bench/targets');
  const targets = [];
  for (const file of fs.readdirSync(folder).filter((f) => f.endsWith('.mjs')).sort()) {
    const make = (await import(pathToFileURL(path.join(folder, file)))).default;
    for (const t of await make({ url: agentemu.url, root })) {
      if (!only || t.name.includes(only)) targets.push(t);
    }
  }
  // One probe per target: its answer is what nginx will serve, and it must be a success.
  for (const t of targets) {
    const probe = t.probe ?? { method: t.method, path: t.path, headers: t.headers, body: t.body };
    const response = await fetch(agentemu.url + probe.path, { method: probe.method, headers: probe.headers, body: probe.body });
    t.responseBody = Buffer.from(await response.arrayBuffer());
    t.contentType = response.headers.get('content-type') ?? 'application/octet-stream';
    const expected = t.expectStatus ?? 200;
    if (response.status !== expected) {
      throw new Error(`bench target ${t.name} answered ${response.status}, not ${expected}: ${t.responseBody}`);
    }
  }
  return targets;
}

// Loads N rules that never match (spread over every vendor, each checked up to its path glob)
// and compares agentemu with itself, runs without and with the rules interleaved, so machine
// noise hits both sides alike: the median with rules may be at most 10% slower.
async function measureScenarioCost(agentemu, targets) {
  const health = await (await fetch(`${agentemu.url}/_emulator/health`)).json();
  const rules = Array.from({ length: extraScenarioRules }, (_, i) => ({
    match: { vendor: health.vendors[i % health.vendors.length], path: `/never-matches-${i}/*` },
    respond: { status: 503 },
  }));
  const scenario = `${agentemu.url}/_emulator/scenarios/bench-unmatched`;
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rounds = 7;
  const seconds = Math.max(2, Math.min(duration, 4));
  console.log(`\nwith ${extraScenarioRules} loaded scenario rules that never match: ${rounds} pairs of ${seconds} s runs ` +
    'without and with them (goal: the median pair drops by at most 10%)');
  console.log(`${pad('target', 40)}${padl('without req/s', 15)}${padl('with req/s', 13)}${padl('drop', 8)}  result`);
  let failed = 0;
  for (const [i, t] of targets.entries()) {
    if (t.path?.startsWith('/_emulator') || t.path === '/metrics') continue;  // admin routes skip scenarios
    const without = [];
    const withRules = [];
    let errors = 0;
    let errorDetail = '';
    for (let round = 0; round < rounds; round += 1) {
      for (const loaded of [false, true]) {
        const r = await fetch(scenario, loaded ? { method: 'PUT', body: JSON.stringify({ rules }) } : { method: 'DELETE' });
        if (r.status !== 200 && !(r.status === 404 && !loaded)) throw new Error(`scenario ${loaded ? 'load' : 'unload'}: ${await r.text()}`);
        await t.prepare?.();
        const run = await runWrk(agentemu.url + (t.lua ? '' : t.path), path.join(work, `emu${i}.lua`), seconds);
        errors += run.errors;
        if (run.errors) errorDetail = run.detail;
        (loaded ? withRules : without).push(run.rps);
        if (process.env.BENCH_VERBOSE) console.log(`  ${loaded ? "with" : "without"} ${run.rps.toFixed(0)}`);
      }
    }
    // Each run with the rules is compared with the run just before it, so slow drifts of the
    // machine cancel out; the median of those ratios is the drop.
    const drop = 1 - median(withRules.map((w, k) => w / without[k]));
    const ok = drop <= 0.10 && errors === 0;
    if (!ok) failed += 1;
    console.log(`${pad(t.name, 40)}${padl(median(without).toFixed(0), 15)}${padl(median(withRules).toFixed(0), 13)}` +
      `${padl(`${(drop * 100).toFixed(1)}%`, 8)}  ${ok ? 'ok' : 'ABOVE 10%'}${errors ? ` (${errors} errors)` : ''}`);
  }
  await fetch(scenario, { method: 'DELETE' });
  return failed;
}

// The journal's cost: the reference target on agentemu as started (journal at its default) and on
// a second agentemu with --journal-limit 0, in interleaved pairs as above.
async function measureJournalCost(agentemu, target) {
  const bare = await startAgentemu(['--journal-limit', '0']);
  try {
    const script = wrkScript(target, path.join(work, 'journal.lua'));
    const seconds = Math.max(2, Math.min(duration, 4));
    const ratios = [];
    for (let round = 0; round < 5; round += 1) {
      const without = await runWrk(bare.url + target.path, script, seconds);
      const journaled = await runWrk(agentemu.url + target.path, script, seconds);
      ratios.push(journaled.rps / without.rps);
    }
    const cost = 1 - [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)];
    const ok = cost <= JOURNAL_GOAL;
    console.log(`\njournal at its default vs --journal-limit 0, ${target.name} (5 pairs of ${seconds} s runs): ` +
      `costs ${(cost * 100).toFixed(1)}% of throughput (goal: at most ${JOURNAL_GOAL * 100}%)  ${ok ? 'ok' : 'ABOVE GOAL'}`);
    return ok ? 0 : 1;
  } finally {
    bare.stop();
  }
}

const pad = (s, n) => String(s).padEnd(n);
const padl = (s, n) => String(s).padStart(n);

async function main() {
  if (args.includes('--instructions')) {
    process.exitCode = await measureInstructions({ binary, root, work, collectTargets, runWrk, wrkScript });
    return;
  }
  const agentemu = await startAgentemu();
  const stops = [() => agentemu.child.kill('SIGTERM')];
  try {
    const targets = await collectTargets(agentemu);
    const nginx = await startNginx(targets);
    stops.push(() => nginx.child.kill('SIGQUIT'));

    console.log(`wrk -t1 -c${connections} -d${duration}s, keep-alive; agentemu --threads 1 vs nginx worker_processes 1, same bodies`);
    console.log(`${pad('target', 40)}${padl('agentemu req/s', 15)}${padl('p99 ms', 9)}${padl('nginx req/s', 13)}${padl('p99 ms', 9)}` +
      `${padl('ratio', 7)}${padl('goal', 6)}  result`);
    let failed = 0;
    const results = [];
    for (const [i, t] of targets.entries()) {
      await t.prepare?.();
      const emu = await runWrk(agentemu.url + (t.lua ? '' : t.path), wrkScript(t, path.join(work, `emu${i}.lua`)));
      const ngx = await runWrk(`http://127.0.0.1:${nginx.port}/t${i}`, wrkScript({ method: 'GET', path: `/t${i}` }, path.join(work, `ngx${i}.lua`)));
      results.push({ emu, ngx, ratio: emu.rps / ngx.rps });
    }
    // Judged once every target has run, since a signed target is compared with the reference.
    const reference = results[targets.findIndex((t) => t.reference)];
    for (const [i, t] of targets.entries()) {
      const { emu, ngx, ratio } = results[i];
      const p99Goal = t.p99GoalMs ?? P99_GOAL_MS;
      const misses = [];
      if (ratio < t.goal) misses.push(`below ${t.goal} of nginx`);
      if (emu.p99 >= p99Goal) misses.push(`p99 not under ${p99Goal} ms`);
      if (t.signed && reference && emu.rps < SIGNED_GOAL * reference.emu.rps) {
        misses.push(`${(emu.rps / reference.emu.rps).toFixed(2)} of REST GET, goal ${SIGNED_GOAL}`);
      }
      if (emu.errors) misses.push(`${emu.errors} errors: ${emu.detail}`);
      if (misses.length) failed += 1;
      console.log(`${pad(t.name, 40)}${padl(emu.rps.toFixed(0), 15)}${padl(emu.p99.toFixed(2), 9)}${padl(ngx.rps.toFixed(0), 13)}` +
        `${padl(ngx.p99.toFixed(2), 9)}${padl(ratio.toFixed(2), 7)}${padl(t.goal.toFixed(2), 6)}  ${misses.length ? `MISSED: ${misses.join('; ')}` : 'ok'}`);
    }
    if (reference) {
      console.log(`(signed targets: goal ${SIGNED_GOAL} of REST GET's req/s in this run; every p99 under ${P99_GOAL_MS} ms)`);
    }
    if (extraScenarioRules > 0) failed += await measureScenarioCost(agentemu, targets);
    if (reference) failed += await measureJournalCost(agentemu, targets[targets.findIndex((t) => t.reference)]);
    if (resourceCount > 0) failed += await measureResources({ binary, root, work, count: resourceCount, only });
    failed += await measureStartup({ binary, root });

    // Last, so the JVM's compiler and collector threads cannot slow the other measurements.
    const wiremock = args.includes('--no-wiremock') ? null : await startWiremock(targets);
    if (wiremock) {
      stops.push(() => wiremock.child.kill('SIGTERM'));
      console.log(`\nWireMock ${path.basename(wiremock.jar)} (default Jetty pool) serving the same bodies, after a warm-up run`);
      for (const [i, t] of targets.entries()) {
        await runWrk(`http://127.0.0.1:${wiremock.port}/t${i}`, path.join(work, `ngx${i}.lua`), Math.min(duration, 3));
        const wm = await runWrk(`http://127.0.0.1:${wiremock.port}/t${i}`, path.join(work, `ngx${i}.lua`));
        console.log(`${pad(t.name, 40)}${padl(wm.rps.toFixed(0), 15)}${padl(wm.p99.toFixed(2), 9)}` +
          `   agentemu is ${(results[i].emu.rps / wm.rps).toFixed(1)}x WireMock's req/s`);
      }
    } else {
      console.log('\nWireMock: not measured (--no-wiremock, or no java: scripts/bench installs the npm package wiremock when java is present)');
    }
    process.exitCode = failed ? 1 : 0;
  } finally {
    stopping = true;
    for (const stop of stops) stop();
  }
}

main().catch((error) => {
  console.error(error.message, error.cause ? `(${error.cause.code ?? ''} ${error.cause.message})` : '');
  process.exitCode = 2;
});
