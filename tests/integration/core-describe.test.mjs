// `agentemu describe [VENDOR] [--json]` prints what GET /_emulator/operations serves, without
// starting a server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { binary, sourceDir, startEmulator, stopCleanly, call, childEnv } from '../support/emulator.mjs';

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const describe = (...args) => spawnSync(binary, ['describe', ...args], { cwd: sourceDir, env: childEnv(), encoding: 'utf8', timeout: 30000 });

test('describe --json is the operations endpoint, byte for byte, for all vendors and for one', async () => {
  const emu = await startEmulator();
  try {
    for (const [args, query] of [[[], ''], [['zego'], '?vendor=zego']]) {
      const cli = describe(...args, '--json');
      assert.equal(cli.status, 0, cli.stderr);
      assert.equal(cli.stderr, '');
      const served = await call(`${emu.url}/_emulator/operations${query}`);
      assert.equal(cli.stdout, `${served.text}\n`);
    }
  } finally {
    await stopCleanly(emu);
  }
});

test('describe prints a table per vendor: every operation with its method, route, parameters and errors', () => {
  const all = JSON.parse(describe('--json').stdout).operations;
  const text = describe();
  assert.equal(text.status, 0, text.stderr);
  for (const vendor of new Set(all.map((o) => o.vendor))) {
    const ops = all.filter((o) => o.vendor === vendor);
    const emulated = ops.filter((o) => o.emulated).length;
    assert.match(text.stdout, new RegExp(`^${vendor}: ${ops.length} operations, ${emulated} emulated$`, 'm'));
  }
  for (const op of all) {
    const row = new RegExp(`^  ${escape(op.operation)} +${escape(op.method)} +${escape(op.route)} +(yes|no \\(501\\))`, 'm');
    assert.match(text.stdout, row, `${op.vendor} ${op.operation}`);
  }
  assert.match(text.stdout, /^ {4}parameters: agentRuntimeArn\* \(label, string/m);
  assert.match(text.stdout, /^ {4}errors: AccessDeniedException, /m);
  assert.match(text.stdout, /^ {12}\S.*ThrottlingException/m, 'long lists wrap in their column');
  const zego = describe('zego');
  assert.doesNotMatch(zego.stdout, /^agentcore:/m);
  assert.match(zego.stdout, /^zego: /);
});

test('describe refuses an unknown vendor or argument with one line and exit 2', () => {
  for (const args of [['nosuch'], ['zego', 'ice'], ['--yaml']]) {
    const r = describe(...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
  assert.match(describe('nosuch').stderr, /unknown vendor "nosuch" \(expected one of agentcore, ice, zego, rest\)/);
});
