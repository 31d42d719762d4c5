// The process contract: flags, environment, errors that exit 2 with one line, logs, signals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { binary, sourceDir, startEmulator, stopCleanly, call, childEnv } from '../support/emulator.mjs';

const run = (args, env = {}) => spawnSync(binary, args, { cwd: sourceDir, env: childEnv(env), encoding: 'utf8', timeout: 30000 });
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'agentemu-cli-'));
const file = (name, text) => {
  const p = path.join(scratch, name);
  fs.writeFileSync(p, text);
  return p;
};

function assertUsageError(result, pattern) {
  assert.equal(result.status, 2, result.stderr);
  assert.equal(result.stdout, '', 'nothing on stdout: the server never started');
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${result.stderr}`);
  assert.match(lines[0], pattern);
}

test('--help and --version', () => {
  const help = run(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--tls-self-signed/);
  assert.match(help.stdout, /AGENTEMU_/);
  const version = run(['--version']);
  assert.equal(version.status, 0);
  assert.match(version.stdout, /^agentemu \d+\.\d+\.\d+\n$/);
});

test('bad flags exit 2 with one line', () => {
  assertUsageError(run(['--bogus']), /unknown flag --bogus/);
  assertUsageError(run(['--port', 'abc']), /--port/);
  assertUsageError(run([], { AGENTEMU_AUTH: 'sometimes' }), /AGENTEMU_AUTH/);
});

test('fixture errors name the file and line:column or pointer, and exit 2', () => {
  assertUsageError(run(['--fixtures', file('syntax.json', '{\n  "a": [1,\n  2\n')]), /syntax\.json:4:1: /);
  assertUsageError(run(['--fixtures', file('vendor.json', '{"nosuchvendor": {}}')]), /vendor\.json: \/nosuchvendor: unknown key \(expected one of agentcore, ice, zego, rest\)$/);
  assertUsageError(run(['--fixtures', path.join(scratch, 'missing.json')]), /missing\.json: no such file/);
  assertUsageError(run(['--fixtures', file('array.json', '[]')]), /array\.json: \/: must be an object, not array$/);
});

test('scenario errors name the file and pointer, and exit 2', () => {
  assertUsageError(run(['--scenarios', file('bad-scenario.json', '{"rules":[{"respond":{"fault":"boom"}}]}')]),
    /bad-scenario\.json: \/rules\/0\/respond\/fault: unknown fault "boom"/);
  assertUsageError(run(['--scenarios', file('dup1.json', '{"name":"same","rules":[]}'), '--scenarios', file('dup2.json', '{"name":"same","rules":[]}')]),
    /dup2\.json: \/name: scenario "same" is already defined/);
});

test('a port in use is a clean exit 2', async () => {
  const blocker = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => blocker.on('listening', resolve));
  try {
    assertUsageError(run(['--port', String(blocker.address().port)]), /cannot listen on 127\.0\.0\.1:\d+/);
  } finally {
    blocker.close();
  }
});

test('environment variables configure the process', async () => {
  const emu = await startEmulator({ env: { AGENTEMU_ADMIN_TOKEN: 'from-env', AGENTEMU_JOURNAL_LIMIT: '1' } });
  try {
    assert.equal((await call(`${emu.url}/_emulator/health`)).status, 401);
    const auth = { authorization: 'Bearer from-env' };
    await call(`${emu.url}/a`);
    await call(`${emu.url}/b`);
    const r = await call(`${emu.url}/_emulator/requests`, { headers: auth });
    assert.deepEqual(r.json.requests.map((e) => e.path), ['/b']);
  } finally {
    await stopCleanly(emu);
  }
});

test('json logs: one JSON line per request, with no query strings or headers in them', async () => {
  const emu = await startEmulator({ args: ['--log-level', 'info', '--log-format', 'json'] });
  await call(`${emu.url}/leak?Signature=SECRET-SIG&AccessKeyId=SECRET-KEY`, { headers: { authorization: 'Bearer SECRET-TOKEN' } });
  await stopCleanly(emu);
  const lines = emu.stderr().trim().split('\n').map((l) => JSON.parse(l));
  const request = lines.find((l) => l.msg === 'request');
  assert.ok(request, emu.stderr());
  assert.equal(request.path, '/leak');
  assert.equal(request.status, 404);
  assert.equal(request.level, 'info');
  assert.doesNotMatch(emu.stderr(), /SECRET/);
});

test('a scenario folder with a link loop still loads its good files', async () => {
  const dir = path.join(scratch, 'looping');
  fs.mkdirSync(dir);
  fs.symlinkSync('loop.json', path.join(dir, 'loop.json'));
  fs.writeFileSync(path.join(dir, 'good.json'), '{"rules":[]}');
  const emu = await startEmulator({ args: ['--scenarios', dir] });
  try {
    const list = await call(`${emu.url}/_emulator/scenarios`);
    assert.deepEqual(list.json.scenarios.map((s) => s.name), ['good']);
  } finally {
    await stopCleanly(emu);
  }
});

test('SIGTERM during a slow write still drains promptly once the client reads', async () => {
  const emu = await startEmulator();
  const big = 'b'.repeat(60 * 1024);
  for (let i = 0; i < 200; i++) await call(`${emu.url}/fill`, { method: 'POST', body: big });
  const socket = net.connect(emu.port, '127.0.0.1');
  await new Promise((resolve) => socket.on('connect', resolve));
  socket.pause();  // read nothing: the server's write of a ~12 MB journal blocks
  socket.write('GET /_emulator/requests HTTP/1.1\r\nHost: x\r\n\r\n');
  await new Promise((r) => setTimeout(r, 300));
  const exited = emu.stop();
  await new Promise((r) => setTimeout(r, 200));
  const started = Date.now();
  socket.resume();
  socket.on('data', () => {});
  const code = await exited;
  assert.equal(code, 0, emu.stderr());
  assert.ok(Date.now() - started < 5000, 'the drain did not wait for its full timeout');
  socket.destroy();
});

test('SIGINT also drains and exits 0', async () => {
  const emu = await startEmulator();
  assert.equal(await emu.stop('SIGINT'), 0);
});

test('SIGTERM with open idle connections still exits 0 promptly', async () => {
  const emu = await startEmulator();
  const sockets = await Promise.all([1, 2, 3].map(() => new Promise((resolve) => {
    const s = net.connect(emu.port, '127.0.0.1', () => resolve(s));
  })));
  await call(`${emu.url}/_emulator/health`);
  const started = Date.now();
  await stopCleanly(emu);
  assert.ok(Date.now() - started < 5000, 'idle connections do not hold the drain');
  sockets.forEach((s) => s.destroy());
});

test('--help keeps every flag apart from its description and fits 80 columns', () => {
  const help = run(['--help']).stdout;
  const lines = help.split('\n');
  for (const line of lines) assert.ok(line.length <= 80, `too long: ${line}`);
  const flags = lines.filter((l) => /^ {2}--/.test(l));
  assert.ok(flags.length >= 18);
  const columns = flags.map((line) => {
    const m = /^ {2}(--[a-z-]+(?: [A-Z]+)?)( {2,})\S/.exec(line);
    assert.ok(m, `a flag, two spaces at least, then its description: ${JSON.stringify(line)}`);
    return 2 + m[1].length + m[2].length;
  });
  const [column] = columns;
  assert.deepEqual(new Set(columns), new Set([column]), 'descriptions start in one column');
  assert.match(help, /^ {2}--request-timeout-ms MS +close a connection/m);
  assert.match(help, /^ {7}agentemu describe \[VENDOR\] \[--json\]/m);
  // A wrapped description continues in its column.
  const continued = lines.filter((l) => /^ {10,}\S/.test(l));
  for (const line of continued) assert.equal(line.search(/\S/), column, line);
});

test('a misspelt AGENTEMU_ variable is warned about, with the name it most likely meant', async () => {
  const emu = await startEmulator({ env: { AGENTEMU_JOURNAL_LIMT: '5', AGENTEMU_NOT_A_THING: '1', AGENTEMU_PORT: '0' } });
  await stopCleanly(emu);
  const stderr = emu.stderr();
  assert.match(stderr, /warn unknown environment variable warning="AGENTEMU_JOURNAL_LIMT is not a variable agentemu reads \(did you mean AGENTEMU_JOURNAL_LIMIT\?\)"/);
  assert.match(stderr, /AGENTEMU_NOT_A_THING is not a variable agentemu reads"/);
  assert.doesNotMatch(stderr, /AGENTEMU_NOT_A_THING[^\n]*did you mean/);
  assert.doesNotMatch(stderr, /AGENTEMU_PORT is not/);
});

test('--log-format json: every line is JSON, start-up errors and the certificate line too, with no float noise', async () => {
  const failed = run(['--log-format', 'json', '--fixtures', path.join(scratch, 'missing.json')]);
  assert.equal(failed.status, 2);
  const [error] = failed.stderr.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(error.level, 'error');
  assert.match(error.msg, /missing\.json: no such file/);
  const badFlag = run(['--port', 'x'], { AGENTEMU_LOG_FORMAT: 'json' });
  assert.match(JSON.parse(badFlag.stderr).msg, /--port/);

  const emu = await startEmulator({ args: ['--log-format', 'json', '--log-level', 'info', '--tls-self-signed'],
    env: { AGENTEMU_SOMETHING_ELSE: 'x' } });
  for (let i = 0; i < 5; i++) await call(`${emu.url}/agents`);
  await stopCleanly(emu);
  const lines = emu.stderr().trim().split('\n');
  const parsed = lines.map((l) => JSON.parse(l));
  const cert = parsed.find((l) => l.msg === 'self-signed TLS certificate');
  assert.ok(cert, emu.stderr());
  assert.match(cert.cert, /cert\.pem$/);
  assert.ok(parsed.some((l) => l.msg === 'unknown environment variable' && /AGENTEMU_SOMETHING_ELSE/.test(l.warning)));
  for (const l of parsed.filter((x) => x.msg === 'request')) {
    assert.ok(Number.isFinite(l.ms));
    assert.ok(Math.abs(l.ms * 1000 - Math.round(l.ms * 1000)) < 1e-6, `ms to the microsecond: ${l.ms}`);
  }
  assert.doesNotMatch(emu.stderr(), /"ms":\d+\.\d{4,}/);
});
