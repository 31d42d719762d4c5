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

const SECONDS = 3;
const CONNECTIONS = 4;

function callgrind(command, pid) {
  const done = spawnSync('callgrind_control', [command, String(pid)], { stdio: 'ignore' });
  if (done.status !== 0) throw new Error(`callgrind_control ${command} ${pid} failed`);
}

// The instruction total of the newest dump in `folder` ("totals:" or, in older valgrinds, "summary:").
function newestTotal(folder) {
  const dumps = fs.readdirSync(folder).map((f) => path.join(folder, f));
  dumps.sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs);
  const text = fs.readFileSync(dumps.at(-1), 'utf8');
  const m = /\n(?:totals|summary): (\d+)/.exec(text);
  if (!m) throw new Error(`no instruction total in ${dumps.at(-1)}`);
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
    console.log(`instructions per request (callgrind, user space, journal off; wrk -t1 -c${CONNECTIONS} -d${SECONDS}s ` +
      'after a warm-up run; digests count more than on the hardware)');
    console.log(`${'target'.padEnd(48)}${'requests'.padStart(10)}${'instructions'.padStart(14)}`);
    for (const [i, t] of targets.entries()) {
      const script = wrkScript(t, path.join(work, `instructions${i}.lua`));
      const url = agentemu.url + (t.lua ? '' : t.path);
      await t.prepare?.();
      await runWrk(url, script, SECONDS, CONNECTIONS);
      await t.prepare?.();
      callgrind('-z', agentemu.child.pid);
      const run = await runWrk(url, script, SECONDS, CONNECTIONS);
      callgrind('-d', agentemu.child.pid);
      if (run.errors || run.requests === 0) throw new Error(`${t.name}: ${run.errors} errors in ${run.requests} requests: ${run.detail}`);
      const each = newestTotal(folder) / run.requests;
      console.log(`${t.name.padEnd(48)}${String(run.requests).padStart(10)}${Math.round(each).toLocaleString('en-US').padStart(14)}`);
    }
  } finally {
    agentemu.child.kill('SIGKILL');
  }
  return 0;
}
