// Inputs that took the server down, or made it hold more than it should, before any
// authentication (issue: hardening). Each runs against the real binary; on the sanitizer build an
// overflow or a bad read would abort it, so "answers and exits 0" is the assertion that matters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { binary, sourceDir, startEmulator, stopCleanly, call } from '../support/emulator.mjs';
import { sign, CODE_INTERPRETER } from '../support/agentcore.mjs';
import { v3Request, send } from '../support/ice.mjs';
import { zegoClient } from '../support/zego.mjs';
import { BOB } from '../support/rest.mjs';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'agentemu-hardening-'));
const file = (name, text) => {
  const p = path.join(scratch, name);
  fs.writeFileSync(p, text);
  return p;
};
const run = (args) => spawnSync(binary, args, { cwd: sourceDir, encoding: 'utf8', timeout: 30000 });

function assertUsageError(result, pattern) {
  assert.equal(result.status, 2, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${result.stderr.slice(0, 500)}`);
  assert.match(lines[0], pattern);
  return lines[0];
}

test('times years away are each vendor\'s own expiry error, before any authentication', async () => {
  const emu = await startEmulator();
  try {
    // ICE V2: a Timestamp in 2300 (the key does not even exist).
    const v2 = await call(`${emu.url}/?Action=DescribeAIAgentInstance&Version=2020-11-09&AccessKeyId=nobody` +
      '&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&SignatureNonce=abc&Timestamp=2300-01-01T00:00:00Z&Signature=x&InstanceId=x');
    assert.equal(v2.json.Code, 'InvalidTimeStamp.Expired', v2.text);
    // ICE V3: x-acs-date at the end of 9999.
    const v3 = await send(v3Request(emu.url, { action: 'DescribeAIAgentInstance', params: { InstanceId: 'x' }, date: '9999-12-31T23:59:59Z' }));
    assert.equal(v3.json.Code, 'InvalidTimeStamp.Expired', v3.text);
    // AgentCore: x-amz-date 99991231T235959Z, signed consistently.
    const host = new URL(emu.url).host;
    const p = `/code-interpreters/${CODE_INTERPRETER}/sessions/get`;
    const headers = sign({ method: 'GET', host, path: p, query: 'sessionId=X', date: new Date('9999-12-31T23:59:59Z') });
    delete headers.host;
    const aws = await call(`${emu.url}${p}?sessionId=X`, { headers });
    assert.equal(aws.headers.get('x-amzn-errortype')?.split(':')[0], 'InvalidSignatureException', aws.text);
    assert.match(aws.json.message, /^Signature not yet current: 99991231T235959Z is still later than /);
    // ZEGO: the smallest 64-bit Timestamp.
    const zego = zegoClient(emu.url);
    assert.equal(await zego.code('QueryAgentInstanceStatus', {}, { query: { Timestamp: '-9223372036854775808' } }), 100000004);
    assert.equal(await zego.code('ListAgents', {}, { query: { Timestamp: '9223372036854775807' } }), 100000004);
    // Every later answer still carries a sane Date.
    const health = await call(`${emu.url}/_emulator/health`);
    assert.equal(new Date(health.headers.get('date')).getUTCFullYear(), new Date().getUTCFullYear());
  } finally {
    await stopCleanly(emu);
  }
});

test('the clock refuses an instant it cannot represent, and keeps serving', async () => {
  const emu = await startEmulator();
  try {
    for (const now of ['9999-12-31T23:59:59Z', '2262-04-11T23:47:16Z', '2200-01-01T00:00:00Z', '1969-12-31T23:59:59Z']) {
      const r = await call(`${emu.url}/_emulator/clock`, { method: 'PUT', json: { now } });
      assert.equal(r.status, 400, now);
      assert.equal(r.json.error, 'invalid_clock');
      assert.match(r.json.message, /from 1970 to 2199/);
    }
    const tooFarBack = await call(`${emu.url}/_emulator/clock`, { method: 'PUT', json: { offsetSeconds: -100 * 365 * 86400 } });
    assert.equal(tooFarBack.status, 400, 'a hundred years back is before 1970');
    assert.equal((await call(`${emu.url}/_emulator/clock`)).json.offsetSeconds, 0, 'nothing changed');
    // The latest instant is accepted, and time goes on past it without overflow.
    const last = await call(`${emu.url}/_emulator/clock`, { method: 'PUT', json: { now: '2199-12-31T23:59:59Z' } });
    assert.equal(last.status, 200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const later = await call(`${emu.url}/agents`);
    assert.equal(later.status, 200);
    assert.match(later.headers.get('date'), / (2199|2200) /);
  } finally {
    await stopCleanly(emu);
  }
});

test('a fixture time outside the clock\'s range is a one-line error and exit 2, or a 400 with its pointer', async () => {
  const document = { agentcore: { sessions: [{ kind: 'codeInterpreter', codeInterpreterIdentifier: 'aws.codeinterpreter.v1',
    sessionId: 'ABC', createdAt: '9999-01-01T00:00:00Z' }] } };
  assertUsageError(run(['--fixtures', file('far.json', JSON.stringify(document))]),
    /far\.json: \/agentcore\/sessions\/0\/createdAt: must be a UTC time such as .*, from 1970 to 2199$/);
  const rest = { rest: { agents: [{ agentId: '550e8400-e29b-41d4-a716-446655440000', createdAt: 9223372036854775807 }] } };
  assertUsageError(run(['--fixtures', file('rest-far.json', JSON.stringify(rest))]), /rest-far\.json: \/rest\/agents\/0\/createdAt: /);
  const emu = await startEmulator();
  try {
    const r = await call(`${emu.url}/_emulator/state`, { method: 'POST', json: document });
    assert.equal(r.status, 400);
    assert.equal(r.json.pointer, '/agentcore/sessions/0/createdAt');
  } finally {
    await stopCleanly(emu);
  }
});

test('fixtures and scenarios are read only from regular files and folders, and within a bound', () => {
  assertUsageError(run(['--fixtures', '/dev/zero']), /^agentemu: \/dev\/zero: not a regular file or folder$/);
  assertUsageError(run(['--scenarios', '/dev/zero']), /^agentemu: \/dev\/zero: not a regular file or folder$/);
  const big = path.join(scratch, 'big.json');
  fs.writeFileSync(big, '');
  fs.truncateSync(big, 33 * 1024 * 1024);  // sparse: costs no disk
  assertUsageError(run(['--fixtures', big]), /big\.json: larger than 32 MiB, the most a fixture or scenario file may hold$/);
});

test('a long unknown key is named once, shortened, in a bounded line', () => {
  const key = 'k'.repeat(100000);
  const line = assertUsageError(run(['--fixtures', file('long-key.json', `{"zego":{"${key}":[]}}`)]), /long-key\.json: \/zego\/k+\.\.\.: unknown key/);
  assert.ok(line.length < 400, `${line.length} bytes`);
  const scenario = assertUsageError(run(['--scenarios', file('long.json', `{"rules":[{"${key}":1}]}`)]), /unknown key \(expected one of /);
  assert.ok(scenario.length < 600, `${scenario.length} bytes`);
});

test('the journal reserves nothing up front for its limit', async () => {
  const emu = await startEmulator({ args: ['--journal-limit', '10000000'] });
  try {
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${emu.child.pid}/status`, 'utf8'))[1]) / 1024;
    assert.ok(rss < 400, `RSS ${rss} MiB at start`);  // a reservation for ten million entries was 3.45 GB
    assert.equal((await call(`${emu.url}/agents`)).status, 200);
    assert.equal((await call(`${emu.url}/_emulator/requests/count`)).json.count, 1);
  } finally {
    await stopCleanly(emu);
  }
});

test('requests answered by an injected network fault are counted in the metrics, by kind', async () => {
  const emu = await startEmulator();
  try {
    const put = await call(`${emu.url}/_emulator/scenarios/resets`, { method: 'PUT',
      body: JSON.stringify({ rules: [{ match: { vendor: 'rest', method: 'GET' }, respond: { fault: 'connection_reset' } },
        { match: { vendor: 'rest', method: 'DELETE' }, respond: { fault: 'empty_response' } }] }) });
    assert.equal(put.status, 200, put.text);
    const failures = async (method, target, n) => {
      let failed = 0;
      for (let i = 0; i < n; i++) await fetch(`${emu.url}${target}`, { method }).catch(() => { failed += 1; });
      return failed;
    };
    assert.equal(await failures('GET', '/agents', 5), 5);
    assert.equal(await failures('DELETE', `/agents/${BOB}`, 3), 3);
    assert.equal((await call(`${emu.url}/agents`, { method: 'POST', json: { name: 'counted' } })).status, 201);
    const metrics = (await call(`${emu.url}/metrics`)).text;
    assert.match(metrics, /^agentemu_requests_total\{vendor="rest",operation="ListAgents",status="connection_reset"\} 5$/m);
    assert.match(metrics, /^agentemu_requests_total\{vendor="rest",operation="DeleteAgent",status="empty_response"\} 3$/m);
    const total = [...metrics.matchAll(/^agentemu_requests_total\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    assert.equal(total, 9, 'every request counted once');
    assert.equal((await call(`${emu.url}/_emulator/requests/count`)).json.count, 9);
  } finally {
    await stopCleanly(emu);
  }
});

test('GET /_emulator/state redacts secrets unless ?secrets=true, and a redacted dump loads back', async () => {
  const emu = await startEmulator();
  try {
    await call(`${emu.url}/_emulator/state`, { method: 'POST', json: { rest: { apiKeys: ['rest-key'] },
      agentcore: { credentials: [{ accessKeyId: 'tok', secretAccessKey: 'tok-secret', sessionToken: 'tok-token' }] } } });
    const redacted = (await call(`${emu.url}/_emulator/state`)).text;
    for (const secret of ['0123456789abcdef0123456789abcdef', 'testsecret', 'tok-secret', 'tok-token', 'rest-key']) {
      assert.ok(!redacted.includes(secret), `${secret} is not shown`);
    }
    const dump = JSON.parse(redacted);
    assert.deepEqual(dump.agentcore.credentials.map((c) => [c.accessKeyId, c.secretAccessKey, c.sessionToken]),
      [['test', '<redacted>', undefined], ['tok', '<redacted>', '<redacted>']]);
    assert.equal(dump.zego.apps[0].ServerSecret, '<redacted>');
    assert.equal(dump.ice.accessKeys[0].accessKeySecret, '<redacted>');
    assert.deepEqual(dump.rest.apiKeys, ['<redacted>']);
    const full = (await call(`${emu.url}/_emulator/state?secrets=true`)).json;
    assert.equal(full.zego.apps[0].ServerSecret, '0123456789abcdef0123456789abcdef');
    assert.equal(full.ice.accessKeys[0].accessKeySecret, 'testsecret');
    assert.equal((await call(`${emu.url}/_emulator/state?secrets=maybe`)).status, 400);

    // The redacted credentials load back and keep the secrets the live state holds.
    const back = { zego: { apps: dump.zego.apps }, ice: { accessKeys: dump.ice.accessKeys },
      agentcore: { credentials: dump.agentcore.credentials }, rest: { apiKeys: dump.rest.apiKeys } };
    const merged = await call(`${emu.url}/_emulator/state?secrets=true`, { method: 'POST', json: back });
    assert.equal(merged.status, 200, merged.text);
    assert.equal(merged.json.zego.apps[0].ServerSecret, '0123456789abcdef0123456789abcdef');
    assert.equal(merged.json.agentcore.credentials.find((c) => c.accessKeyId === 'tok').sessionToken, 'tok-token');
    assert.deepEqual(merged.json.rest.apiKeys, ['rest-key']);
    const zego = zegoClient(emu.url);
    assert.equal(await zego.code('ListAgents'), 0, 'the ServerSecret still signs');

    // A redacted secret with nothing to keep is a mistake, with its pointer; nothing changes.
    const unknown = await call(`${emu.url}/_emulator/state`, { method: 'POST',
      json: { ice: { accessKeys: [{ accessKeyId: 'nobody', accessKeySecret: '<redacted>' }] } } });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.pointer, '/ice/accessKeys/0/accessKeySecret');
    assert.match(unknown.json.message, /redacted/);
  } finally {
    await stopCleanly(emu);
  }
});
