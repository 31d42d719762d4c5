// scripts/run, as the README gives it: it builds (once) and serves the default fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { sourceDir, call } from '../support/emulator.mjs';

test('scripts/run serves health, then drains and exits 0 on SIGTERM; its first line on stdout is the listening line', { timeout: 1_200_000 }, async () => {
  const child = spawn(path.join(sourceDir, 'scripts/run'), ['--port', '0', '--log-level', 'warn'],
    { cwd: sourceDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      if (!out.includes('\n')) return;
      // Nothing before it, not even "ninja: no work to do.": `scripts/run --port 0 | head -1` is the port.
      const m = /^agentemu listening on (http:\/\/\S+)\n/.exec(out);
      if (m) resolve(m[1]);
      else reject(new Error(`the first line on stdout is not the listening line: ${JSON.stringify(out.split('\n')[0])}`));
    });
    exited.then((code) => reject(new Error(`scripts/run exited ${code}\n${stderr.slice(-4000)}`)));
  });
  const health = await call(`${url}/_emulator/health`);
  assert.equal(health.status, 200);
  assert.equal(health.json.status, 'ok');
  assert.ok(health.json.vendors.length >= 0);
  child.kill('SIGTERM');
  assert.equal(await exited, 0, stderr);
});
