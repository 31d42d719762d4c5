// ICE through the real Alibaba Cloud clients, pinned in tests/package.json:
// @alicloud/openapi-core and @alicloud/openapi-client callApi (V3 ACS3-HMAC-SHA256 by default,
// HMAC-SHA1 with signatureAlgorithm 'v2'), and @alicloud/pop-core RPCClient (V2, GET and POST).
// Each client drives the whole instance life, and every error is observed as the client throws it.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, stopCleanly, call, sourceDir } from '../support/emulator.mjs';
import { setClock, TEST_KEY, VOICE_AGENT } from '../support/ice.mjs';
import { Core, clients, rejects } from '../support/ice-clients.mjs';

const STOP_ONLY = { id: 'stoponly', secret: 'stoponlysecret' };
const runtimeConfig = JSON.stringify({ AgentUserId: 'agent1', ChannelId: 'channel1', AuthToken: 'token' });

let emu;

before(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ice-contract-'));
  const extra = path.join(dir, 'ice-extra.json');
  fs.writeFileSync(extra, JSON.stringify({
    ice: { accessKeys: [{ accessKeyId: STOP_ONLY.id, accessKeySecret: STOP_ONLY.secret, allow: ['ice:StopAIAgentInstance'], account: 'testid' }] },
  }));
  emu = await startEmulator({ args: ['--fixtures', path.join(sourceDir, 'fixtures/default.json'), '--fixtures', extra] });
});
after(async () => { await stopCleanly(emu); });
beforeEach(async () => { await call(`${emu.url}/_emulator/reset`, { method: 'POST' }); });

// ---- The life of an instance, through each client ---------------------------------------------

for (const client of clients) {
  test(`${client.name}: Start -> Describe -> Send -> Stop -> Describe`, async () => {
    const ice = client.make(emu.port);
    const started = await ice('StartAIAgentInstance', {
      AIAgentId: VOICE_AGENT, RuntimeConfig: runtimeConfig, SessionId: 'contract-session',
      AgentConfig: JSON.stringify({ Greeting: 'Hi there', TtsConfig: { VoiceId: 'zhixiaoxia' } }), UserData: "{\"who\":\"a b+c!'()*\"}",
    });
    assert.match(started.RequestId, /^[0-9A-F-]{36}$/);
    assert.match(started.InstanceId, /^[0-9a-f]{32}$/);
    const id = started.InstanceId;

    const d1 = await ice('DescribeAIAgentInstance', { InstanceId: id });
    assert.equal(d1.Instance.Status, 'Executing');
    assert.deepEqual(d1.Instance.RuntimeConfig, JSON.parse(runtimeConfig));
    assert.deepEqual(d1.Instance.AgentConfig, { Greeting: 'Hi there', TtsConfig: { VoiceId: 'zhixiaoxia' } });
    assert.equal(d1.Instance.UserData, "{\"who\":\"a b+c!'()*\"}");  // a string, as the SDK model types it

    assert.deepEqual(Object.keys(await ice('SendAIAgentText', { InstanceId: id, Text: 'What can you do?' })), ['RequestId']);
    await ice('SendAIAgentSpeech', { InstanceId: id, Text: 'Plenty.', EnableInterrupt: 'false' });
    await ice('UpdateAIAgentInstance', { InstanceId: id, AgentConfig: JSON.stringify({ Volume: 80 }) });
    const dialogues = await ice('ListAIAgentDialogues', { SessionId: 'contract-session', StartTime: '0', EndTime: String(Date.now() + 60_000), Order: 'ASC' });
    assert.deepEqual(dialogues.Dialogues.map((d) => d.Text), ['Hi there', 'What can you do?', 'Plenty.']);
    assert.equal((await ice('GetAIAgentConcurrency', { AIAgentId: VOICE_AGENT })).ActiveCount, 1);

    await ice('StopAIAgentInstance', { InstanceId: id });
    const d2 = await ice('DescribeAIAgentInstance', { InstanceId: id });
    assert.equal(d2.Instance.Status, 'Finished');
    assert.deepEqual(d2.Instance.AgentConfig, { Greeting: 'Hi there', TtsConfig: { VoiceId: 'zhixiaoxia' }, Volume: 80 });
    assert.ok(Date.parse(d2.Instance.GmtModified) >= Date.parse(d1.Instance.GmtModified));
    assert.equal((await ice('GetAIAgentConcurrency', { AIAgentId: VOICE_AGENT })).ActiveCount, 0);
    const listed = await ice('ListAIAgentInstance', { AIAgentId: VOICE_AGENT, PageSize: '10' });
    assert.equal(listed.Instances.length, 1);
  });
}

// ---- Every error, as each client throws it -----------------------------------------------------

for (const client of clients) {
  test(`${client.name}: errors come back with the client's code, status and data`, async () => {
    const ice = client.make(emu.port);
    const { InstanceId: id } = await ice('StartAIAgentInstance', { AIAgentId: VOICE_AGENT, RuntimeConfig: runtimeConfig });

    await rejects(ice('DescribeAIAgentInstance', {}), client, 'MissingInstanceId', 400);
    await rejects(ice('DescribeAIAgentInstance', { InstanceId: 'f'.repeat(32) }), client, 'ResourceNotFound', 404);
    await rejects(ice('GetAIAgentConcurrency', { AIAgentId: 'no-such-agent' }), client, 'ResourceNotFound', 404);
    await rejects(ice('ListAIAgentInstance', { AIAgentId: VOICE_AGENT, PageSize: '101' }), client, 'InvalidParameter', 400);
    await rejects(ice('StartAIAgentInstance', { AIAgentId: VOICE_AGENT, RuntimeConfig: '{not json' }), client, 'InvalidParameter', 400);
    await rejects(ice('SendAIAgentSpeech', { InstanceId: id, Text: 'x'.repeat(1025) }), client, 'InvalidParameter', 400);
    await rejects(ice('DescribeAIAgentInstances', { InstanceId: id }), client, 'InvalidAction.NotFound', 404);

    const nonce = `nonce-${client.name.replace(/\W/g, '')}`;
    await ice('GetAIAgentConcurrency', { AIAgentId: VOICE_AGENT }, { nonce });
    await rejects(ice('GetAIAgentConcurrency', { AIAgentId: VOICE_AGENT }, { nonce }), client, 'SignatureNonceUsed', 400);

    await ice('StopAIAgentInstance', { InstanceId: id });
    await rejects(ice('StopAIAgentInstance', { InstanceId: id }), client, 'IncorrectInstanceStatus', 403);
    await rejects(ice('SendAIAgentText', { InstanceId: id, Text: 'late' }), client, 'IncorrectInstanceStatus', 403);

    const wrongSecret = client.make(emu.port, { key: { id: TEST_KEY.id, secret: 'not-the-secret' } });
    const mismatch = await rejects(wrongSecret('GetAIAgentConcurrency', { AIAgentId: VOICE_AGENT }), client, 'SignatureDoesNotMatch', 400);
    assert.match(mismatch.data.Message, /server string to sign is:(GET|POST)&|server StringToSign is \[ACS3-HMAC-SHA256\n[0-9a-f]{64}\]$/);
    const unknownKey = client.make(emu.port, { key: { id: 'nobody', secret: 'x' } });
    await rejects(unknownKey('GetAIAgentConcurrency', { AIAgentId: VOICE_AGENT }), client, 'InvalidAccessKeyId.NotFound', 404);
    const stopOnly = client.make(emu.port, { key: STOP_ONLY });
    const denied = await rejects(stopOnly('DescribeAIAgentInstance', { InstanceId: id }), client, 'Forbidden.RAM', 403);
    assert.equal(denied.data.AccessDeniedDetail.AuthAction, 'ice:DescribeAIAgentInstance');
    const oldVersion = client.make(emu.port, { version: '2017-09-06' });
    await rejects(oldVersion('GetAIAgentConcurrency', { AIAgentId: VOICE_AGENT }), client, 'InvalidVersion', 400);

    const v3 = client.name.endsWith('V3');
    const noTime = await rejects(ice('GetAIAgentConcurrency', { AIAgentId: VOICE_AGENT }, { timestamp: '' }), client,
      v3 ? 'MissingHeader' : 'MissingTimestamp', 400);
    assert.equal(noTime.data.Message, v3 ? 'Specified header x-acs-date is mandatory for this action.' : 'Timestamp is mandatory for this action.');
    await rejects(ice('GetAIAgentConcurrency', { AIAgentId: VOICE_AGENT }, { timestamp: '22/11/2026' }), client, 'InvalidTimeStamp.Format', 400);
    await setClock(emu.url, 20 * 60);
    try {
      await rejects(ice('GetAIAgentConcurrency', { AIAgentId: VOICE_AGENT }), client, 'InvalidTimeStamp.Expired', 400);
    } finally {
      await setClock(emu.url, 0);
    }
  });
}

// ---- scenarios/ice-throttling.json -------------------------------------------------------------

test('scenarios/ice-throttling.json: openapi-core raises ThrottlingError (retryAfter 2) on calls 2 and 3', async () => {
  const throttled = await startEmulator({ args: ['--scenarios', path.join(sourceDir, 'scenarios/ice-throttling.json')] });
  try {
    const core = clients[0].make(throttled.port);
    const { InstanceId: id } = await core('StartAIAgentInstance', { AIAgentId: VOICE_AGENT, RuntimeConfig: runtimeConfig });
    assert.equal((await core('DescribeAIAgentInstance', { InstanceId: id })).Instance.Status, 'Executing');
    for (let i = 0; i < 2; i += 1) {
      const error = await rejects(core('DescribeAIAgentInstance', { InstanceId: id }), clients[0], 'Throttling.User', 400);
      assert.ok(error instanceof Core.ThrottlingError);
      assert.equal(error.retryAfter, 2);
      assert.equal(error.data.Message, 'Request was denied due to user flow control.');
    }
    assert.equal((await core('DescribeAIAgentInstance', { InstanceId: id })).Instance.Status, 'Executing');

    // The same rule as the other clients see it (the count restarts on reset).
    await call(`${throttled.url}/_emulator/reset`, { method: 'POST' });
    const v2 = clients[1].make(throttled.port);
    const other = clients[2].make(throttled.port);
    const pop = clients[4].make(throttled.port);
    const { InstanceId: again } = await v2('StartAIAgentInstance', { AIAgentId: VOICE_AGENT, RuntimeConfig: runtimeConfig });
    await v2('DescribeAIAgentInstance', { InstanceId: again });
    const viaV2 = await rejects(v2('DescribeAIAgentInstance', { InstanceId: again }), clients[1], 'Throttling.User', 400);
    assert.equal(viaV2.retryAfter, 2);
    await rejects(other('DescribeAIAgentInstance', { InstanceId: again }), clients[2], 'Throttling.User', 400);
    assert.equal((await pop('DescribeAIAgentInstance', { InstanceId: again })).Instance.Status, 'Executing');
    const scenarios = await call(`${throttled.url}/_emulator/scenarios`);
    assert.ok(JSON.stringify(scenarios.json).includes('throttle-describe'));
  } finally {
    await stopCleanly(throttled);
  }
});
