// Inputs that took the server down, or made it hold more than it should, before any
// authentication (issue: hardening). Each runs against the real binary; on the sanitizer build an
// overflow or a bad read would abort it, so "answers and exits 0" is the assertion that matters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { binary, childEnv, sourceDir, startEmulator, stopCleanly, call } from '../support/emulator.mjs';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
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
const run = (args) => spawnSync(binary, args, { cwd: sourceDir, env: childEnv(), encoding: 'utf8', timeout: 30000 });

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

test('the sections added with each vendor\'s surface are read by the one reader, times range-checked', async () => {
  const far = '9999-01-01T00:00:00Z';
  const cases = [
    [{ agentcore: { apiKeyCredentialProviders: [{ name: 'weather', createdTime: far }] } },
      '/agentcore/apiKeyCredentialProviders/0/createdTime', /must be a UTC time such as .*, from 1970 to 2199/],
    [{ agentcore: { memories: [{ id: 'mem-0123456789', name: 'm', createdAt: 253402300799 }] } },
      '/agentcore/memories/0/createdAt', /from 1970 to 2199, or its epoch seconds/],
    [{ agentcore: { browserProfiles: [{ profileId: 'p-0123456789', name: 'p', colour: 'blue' }] } },
      '/agentcore/browserProfiles/0/colour', /^unknown key \(expected one of /],
    [{ agentcore: { memories: [{ id: 'mem-0123456789', name: 'm', eventExpiryDuration: 'long' }] } },
      '/agentcore/memories/0/eventExpiryDuration', /^must be a whole number, not string$/],
    [{ ice: { voiceprints: [{ VoiceprintId: 'v1', GmtCreate: far }] } },
      '/ice/voiceprints/0/GmtCreate', /from 1970 to 2199/],
    [{ ice: { notifyConfigs: [{ AIAgentId: 'a', colour: 1 }] } }, '/ice/notifyConfigs/0/colour', /^unknown key \(expected one of /],
    [{ ice: { accessKeys: [{ accessKeyId: 'STS.x', accessKeySecret: 's', securityToken: 't', expiration: far }] } },
      '/ice/accessKeys/0/expiration', /from 1970 to 2199/],
    [{ rest: { logs: [{ id: BOB, entityId: BOB, roomId: BOB, type: 't', body: {}, createdAt: 9e15 }] } },
      '/rest/logs/0/createdAt', /./],
    [{ rest: { agents: [{ agentId: BOB, worlds: [{ id: BOB, name: 'w', createdAt: 9e15 }] }] } },
      '/rest/agents/0/worlds/0/createdAt', /./],
    [{ rest: { agents: [{ agentId: BOB, panels: [{ name: 'p', path: '/p', colour: 1 }] }] } },
      '/rest/agents/0/panels/0/colour', /^unknown key \(expected one of name, path\)$/],
  ];
  const emu = await startEmulator();
  try {
    for (const [document, pointer, message] of cases) {
      const r = await call(`${emu.url}/_emulator/state`, { method: 'POST', json: document });
      assert.equal(r.status, 400, `${pointer}: ${r.text}`);
      assert.deepEqual(Object.keys(r.json), ['error', 'message', 'pointer']);
      assert.equal(r.json.error, 'invalid_fixture');
      assert.equal(r.json.pointer, pointer);
      assert.match(r.json.message, message, pointer);
    }
  } finally {
    await stopCleanly(emu);
  }
  // From a file: the same mistake is the one line and exit 2.
  assertUsageError(run(['--fixtures', file('record-far.json', JSON.stringify(cases[0][0]))]),
    /record-far\.json: \/agentcore\/apiKeyCredentialProviders\/0\/createdTime: must be a UTC time/);
});

test('the secrets of credential providers, STS keys, callbacks and agent configs are redacted and load back', async () => {
  const secrets = {
    agentcore: {
      apiKeyCredentialProviders: [{ name: 'weather', apiKey: 'ak-secret-1' }],
      oauth2CredentialProviders: [{ name: 'gh', credentialProviderVendor: 'GithubOauth2',
        oauth2ProviderConfigInput: { githubOauth2ProviderConfig: { clientId: 'cid', clientSecret: 'cs-secret-1' } } }],
    },
    ice: {
      accessKeys: [{ accessKeyId: 'testid', accessKeySecret: 'testsecret' },
        { accessKeyId: 'STS.sts', accessKeySecret: 'sts-secret-1', securityToken: 'sts-token-1', account: 'testid' }],
      notifyConfigs: [{ AIAgentId: '39f8e0bc005e4f309379701645f4a001', Token: 'notify-token-1' }],
      videoAuditTasks: [{ JobId: 'job1', AIAgentId: '39f8e0bc005e4f309379701645f4a001',
        CallbackConfig: { Url: 'http://127.0.0.1:9/cb', Token: 'audit-token-1' } }],
      instances: [{ InstanceId: 'inst1', AIAgentId: '39f8e0bc005e4f309379701645f4a001',
        RuntimeConfig: { VoiceChat: { AgentUserId: 'a', ChannelId: 'c', AuthToken: 'rtc-token-1' } } }],
    },
    zego: { agents: [{ AgentId: 'redacted-agent', Name: 'n', LLM: { Url: 'https://llm.example/v1', ApiKey: 'llm-key-1', Model: 'm' } }] },
  };
  const values = ['ak-secret-1', 'cs-secret-1', 'sts-secret-1', 'sts-token-1', 'notify-token-1', 'audit-token-1', 'rtc-token-1', 'llm-key-1'];
  const emu = await startEmulator({ args: ['--fixtures', 'fixtures/default.json', '--fixtures', file('secrets.json', JSON.stringify(secrets))] });
  try {
    const text = (await call(`${emu.url}/_emulator/state`)).text;
    for (const v of values) assert.ok(!text.includes(v), `${v} is not shown`);
    const dump = JSON.parse(text);
    const provider = dump.agentcore.apiKeyCredentialProviders.find((p) => p.name === 'weather');
    assert.equal(provider.apiKey, '<redacted>');
    const oauth = dump.agentcore.oauth2CredentialProviders.find((p) => p.name === 'gh');
    assert.equal(oauth.oauth2ProviderConfigInput.githubOauth2ProviderConfig.clientSecret, '<redacted>');
    assert.equal(oauth.oauth2ProviderConfigInput.githubOauth2ProviderConfig.clientId, 'cid', 'only the secret is hidden');
    assert.equal(oauth.oauth2ProviderConfigOutput.githubOauth2ProviderConfig.clientId, 'cid', 'Get shows the configuration');
    assert.equal(dump.ice.accessKeys.find((k) => k.accessKeyId === 'STS.sts').securityToken, '<redacted>');
    assert.equal(dump.ice.notifyConfigs[0].Token, '<redacted>');
    assert.equal(dump.ice.videoAuditTasks[0].CallbackConfig.Token, '<redacted>');
    assert.equal(dump.ice.instances.find((i) => i.InstanceId === 'inst1').RuntimeConfig.VoiceChat.AuthToken, '<redacted>');
    assert.equal(dump.zego.agents.find((a) => a.AgentId === 'redacted-agent').LLM.ApiKey, '<redacted>');
    const whole = (await call(`${emu.url}/_emulator/state?secrets=true`)).text;
    for (const v of values) assert.ok(whole.includes(v), `${v} is shown with ?secrets=true`);

    // The redacted dump loads back and keeps every secret.
    const back = {
      agentcore: { apiKeyCredentialProviders: dump.agentcore.apiKeyCredentialProviders,
        oauth2CredentialProviders: dump.agentcore.oauth2CredentialProviders },
      ice: { accessKeys: dump.ice.accessKeys, notifyConfigs: dump.ice.notifyConfigs,
        videoAuditTasks: dump.ice.videoAuditTasks, instances: dump.ice.instances },
      zego: { agents: dump.zego.agents },
    };
    const merged = await call(`${emu.url}/_emulator/state?secrets=true`, { method: 'POST', json: back });
    assert.equal(merged.status, 200, merged.text);
    for (const v of values) assert.ok(merged.text.includes(v), `${v} is kept`);

    // For a resource that holds none, each is a mistake with its pointer, and nothing changes.
    const strangers = [
      [{ agentcore: { apiKeyCredentialProviders: [{ name: 'other', apiKey: '<redacted>' }] } }, '/agentcore/apiKeyCredentialProviders/0/apiKey'],
      [{ agentcore: { oauth2CredentialProviders: [{ name: 'other', credentialProviderVendor: 'GithubOauth2',
        oauth2ProviderConfigInput: { githubOauth2ProviderConfig: { clientId: 'c', clientSecret: '<redacted>' } } }] } },
      '/agentcore/oauth2CredentialProviders/0/oauth2ProviderConfigInput/githubOauth2ProviderConfig/clientSecret'],
      [{ ice: { accessKeys: [{ accessKeyId: 'STS.other', accessKeySecret: 's', securityToken: '<redacted>' }] } }, '/ice/accessKeys/0/securityToken'],
      [{ ice: { notifyConfigs: [{ AIAgentId: 'other', account: 'testid', Token: '<redacted>' }] } }, '/ice/notifyConfigs/0/Token'],
      [{ ice: { instances: [{ InstanceId: 'other', AIAgentId: 'a', account: 'testid', RuntimeConfig: { VoiceChat: { AuthToken: '<redacted>' } } }] } },
        '/ice/instances/0/RuntimeConfig/VoiceChat/AuthToken'],
      [{ zego: { agents: [{ AgentId: 'other', LLM: { Url: 'https://llm.example/v1', ApiKey: '<redacted>', Model: 'm' } }] } }, '/zego/agents/0/LLM/ApiKey'],
    ];
    for (const [document, pointer] of strangers) {
      const r = await call(`${emu.url}/_emulator/state`, { method: 'POST', json: document });
      assert.equal(r.status, 400, `${pointer}: ${r.text}`);
      assert.equal(r.json.pointer, pointer);
      assert.match(r.json.message, /is redacted, and nothing loaded before holds this secret/);
    }
    const after = (await call(`${emu.url}/_emulator/state?secrets=true`)).json;
    assert.ok(!JSON.stringify(after).includes('"other"'), 'nothing changed');
    assert.ok(!JSON.stringify(after).includes('STS.other'), 'nothing changed');
  } finally {
    await stopCleanly(emu);
  }
});

test('a presigned X-Amz-Date or a Date header years away is expired or not yet current, never an overflow', async () => {
  const emu = await startEmulator();
  try {
    const host = new URL(emu.url).host;
    const [hostname, port] = host.split(':');
    const p = `/code-interpreters/${CODE_INTERPRETER}/sessions/get`;
    const signer = new SignatureV4({ credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, region: 'us-east-1',
      service: 'bedrock-agentcore', sha256: Sha256 });
    const presigned = async (signingDate, expiresIn = 300) => {
      const r = await signer.presign({ method: 'GET', protocol: 'http:', hostname, port: Number(port), path: p,
        query: { sessionId: 'X' }, headers: { host } }, { expiresIn, signingDate });
      return call(`${emu.url}${r.path}?${Object.entries(r.query).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`);
    };
    const later = await presigned(new Date('9999-12-31T23:59:59Z'));
    assert.equal(later.headers.get('x-amzn-errortype')?.split(':')[0], 'InvalidSignatureException', later.text);
    assert.match(later.json.message, /^Signature not yet current: 99991231T235959Z is still later than /);
    const earlier = await presigned(new Date('1970-01-01T00:00:00Z'), 604800);
    assert.equal(earlier.headers.get('x-amzn-errortype')?.split(':')[0], 'InvalidSignatureException', earlier.text);
    assert.match(earlier.json.message, /^Signature expired: 19700101T000000Z is now earlier than /);
    // A query X-Amz-Date that is no date at all is the format error.
    const q = 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F99991231%2Fus-east-1%2Fbedrock-agentcore%2Faws4_request' +
      '&X-Amz-Date=99991331T000000Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature=00&sessionId=X';
    const malformed = await call(`${emu.url}${p}?${q}`);
    assert.equal(malformed.headers.get('x-amzn-errortype')?.split(':')[0], 'IncompleteSignatureException', malformed.text);

    // Signed over the Date header only: a year of 9999 is read, and is not yet current.
    const date = await call(`${emu.url}${p}?sessionId=X`, { headers: {
      date: 'Fri, 31 Dec 9999 23:59:59 GMT',
      authorization: 'AWS4-HMAC-SHA256 Credential=test/99991231/us-east-1/bedrock-agentcore/aws4_request, ' +
        `SignedHeaders=date;host, Signature=${'0'.repeat(64)}` } });
    assert.equal(date.headers.get('x-amzn-errortype')?.split(':')[0], 'InvalidSignatureException', date.text);
    assert.match(date.json.message, /^Signature not yet current: 99991231T235959Z is still later than /);
    assert.equal((await call(`${emu.url}/_emulator/health`)).status, 200);
  } finally {
    await stopCleanly(emu);
  }
});

test('a REST character\'s secrets are redacted in the dump and load back as the ones held', async () => {
  const agentId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
  const emu = await startEmulator();
  try {
    const seeded = await call(`${emu.url}/_emulator/state`, { method: 'POST', json: { rest: { agents: [{ agentId, name: 'Keeper',
      secrets: { OPENAI_API_KEY: 'sk-rest-1' }, settings: { model: 'm', secrets: { DISCORD_TOKEN: 'sk-rest-2' } } }] } } });
    assert.equal(seeded.status, 200, seeded.text);
    const text = (await call(`${emu.url}/_emulator/state?vendor=rest`)).text;
    assert.ok(!text.includes('sk-rest-1') && !text.includes('sk-rest-2'), text);
    const agent = JSON.parse(text).rest.agents.find((a) => a.agentId === agentId);
    assert.deepEqual(agent.secrets, { OPENAI_API_KEY: '<redacted>' });
    assert.deepEqual(agent.settings, { model: 'm', secrets: { DISCORD_TOKEN: '<redacted>' } }, 'only the secrets are hidden');
    const shown = (await call(`${emu.url}/_emulator/state?vendor=rest&secrets=true`)).json.rest.agents.find((a) => a.agentId === agentId);
    assert.deepEqual(shown.secrets, { OPENAI_API_KEY: 'sk-rest-1' });

    const back = await call(`${emu.url}/_emulator/state?vendor=rest&secrets=true`, { method: 'POST',
      json: { rest: { agents: [{ agentId, secrets: agent.secrets, settings: agent.settings }] } } });
    assert.equal(back.status, 200, back.text);
    const kept = back.json.rest.agents.find((a) => a.agentId === agentId);
    assert.deepEqual(kept.secrets, { OPENAI_API_KEY: 'sk-rest-1' });
    assert.deepEqual(kept.settings.secrets, { DISCORD_TOKEN: 'sk-rest-2' });

    for (const [doc, pointer] of [
      [{ agentId, secrets: { OTHER_KEY: '<redacted>' } }, '/rest/agents/0/secrets/OTHER_KEY'],
      [{ agentId: BOB, name: 'b', settings: { secrets: { DISCORD_TOKEN: '<redacted>' } } }, '/rest/agents/0/settings/secrets/DISCORD_TOKEN'],
    ]) {
      const r = await call(`${emu.url}/_emulator/state`, { method: 'POST', json: { rest: { agents: [doc] } } });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.pointer, pointer);
      assert.match(r.json.message, /is redacted, and nothing loaded before holds this secret/);
    }
  } finally {
    await stopCleanly(emu);
  }
});
