// Instructions per request, counted by callgrind: a figure machine noise cannot move, for
// comparing two builds (or two targets) when timings on a shared machine drift by more than the
// change being measured. agentemu runs under valgrind with the journal off (its ring grows for
// the first thousands of requests, which would weigh on a short run); each target gets a warm-up
// run, callgrind's counters are zeroed, wrk runs with a few connections, and the counters are
// dumped: the process's user-space instructions divided by the requests wrk completed.
//
// Valgrind runs OpenSSL without the CPU's SHA extensions, so the signed targets count their
// digests at several times what the hardware executes: compare a target with itself across
// builds, not a signed target with an unsigned one.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { agentemuArgs, spawnAgentemu } from './resources.mjs';

// Fixed, not --duration and --connections: valgrind runs agentemu some 50 times slower, and a few
// connections keep it busy.
const SECONDS = 3;
const CONNECTIONS = 4;
const RUNS = 2;

// callgrind_control exits 0 whatever happened (an unknown pid, no callgrind run, vgdb failing):
// a dump is checked by the file it must write, zeroing only by what it prints.
function dumps(folder) {
  return fs.readdirSync(folder).map((f) => path.join(folder, f));
}

function zero(pid) {
  const done = spawnSync('callgrind_control', ['-z', String(pid)], { encoding: 'utf8', timeout: 60000 });
  if (done.status !== 0 || !/OK/.test(done.stdout)) throw new Error(`callgrind_control -z ${pid}: ${done.stdout}${done.stderr}`);
}

// Dumps the counters and answers the new dump's instruction total ("totals:", or "summary:" in
// older valgrinds).
function dump(pid, folder) {
  const before = new Set(dumps(folder));
  const done = spawnSync('callgrind_control', ['-d', String(pid)], { encoding: 'utf8', timeout: 60000 });
  const fresh = dumps(folder).filter((f) => !before.has(f));
  if (done.status !== 0 || fresh.length !== 1) {
    throw new Error(`callgrind_control -d ${pid} wrote ${fresh.length} dumps: ${done.stdout}${done.stderr}`);
  }
  const m = /\n(?:totals|summary): (\d+)/.exec(fs.readFileSync(fresh[0], 'utf8'));
  if (!m) throw new Error(`no instruction total in ${fresh[0]}`);
  return Number(m[1]);
}

// bench: { binary, root, work, collectTargets, runWrk, wrkScript } from run.mjs. Returns 0: this
// measurement has no goal, it prints figures to compare.
export async function measureInstructions({ binary, root, work, collectTargets, runWrk, wrkScript }) {
  const folder = fs.mkdtempSync(path.join(work, 'callgrind-'));
  const args = ['-q', '--tool=callgrind', `--callgrind-out-file=${path.join(folder, 'out')}`, binary,
    ...agentemuArgs(root, ['--journal-limit', '0'])];
  const agentemu = await spawnAgentemu('valgrind', args, root);
  try {
    const targets = await collectTargets(agentemu);
    console.log(`instructions per request (callgrind, user space, journal off; the lower of ${RUNS} runs of wrk -t1 ` +
      `-c${CONNECTIONS} -d${SECONDS}s after a warm-up run; digests count more than on the hardware)`);
    console.log(`${'target'.padEnd(48)}${'requests'.padStart(10)}${'instructions'.padStart(14)}`);
    for (const [i, t] of targets.entries()) {
      const script = wrkScript(t, path.join(work, `instructions${i}.lua`));
      const url = agentemu.url + (t.lua ? '' : t.path);
      await t.prepare?.();
      await runWrk(url, script, SECONDS, CONNECTIONS);
      // The lower of two runs: a run where requests tend to arrive in two reads pays the read
      // machinery twice for them (seen as a 6-8% step on ICE's 560-byte requests).
      let best = null;
      for (let round = 0; round < RUNS; round += 1) {
        await t.prepare?.();
        zero(agentemu.child.pid);
        const run = await runWrk(url, script, SECONDS, CONNECTIONS);
        const total = dump(agentemu.child.pid, folder);
        if (run.errors || run.requests === 0) throw new Error(`${t.name}: ${run.errors} errors in ${run.requests} requests: ${run.detail}`);
        const each = total / run.requests;
        if (best === null || each < best.each) best = { each, requests: run.requests };
      }
      console.log(`${t.name.padEnd(48)}${String(best.requests).padStart(10)}${Math.round(best.each).toLocaleString('en-US').padStart(14)}`);
    }
  } finally {
    // SIGTERM, so valgrind removes its vgdb pipes on the way out.
    await new Promise((resolve) => {
      if (agentemu.child.exitCode !== null || agentemu.child.signalCode !== null) return resolve();
      agentemu.child.once('exit', resolve);
      agentemu.child.kill('SIGTERM');
    });
  }
  return 0;
}
