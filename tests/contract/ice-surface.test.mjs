// The actions the ICE model adds beyond the instance life, the gateway's exact answers, STS
// credentials and Format=XML, through every real client mode of tests/support/ice-clients.mjs
// (openapi-core and openapi-client, V3 and V2; pop-core GET and POST), pinned in tests/package.json.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, stopCleanly, call, sourceDir } from '../support/emulator.mjs';
import { setClock, TEST_KEY, VOICE_AGENT } from '../support/ice.mjs';
import { clients, rejects } from '../support/ice-clients.mjs';

const STS = { id: 'STS.NUgYrLnoC37mZZCNnAbez2dd', secret: 'stssecret', token: 'CAISzQJ1q6Ft5B2yfSjIr5bFPc' };
const STOP_ONLY = { id: 'stoponly', secret: 'stoponlysecret' };
let emu;

before(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ice-surface-'));
  const extra = path.join(dir, 'ice-extra.json');
  fs.writeFileSync(extra, JSON.stringify({
    ice: { accessKeys: [
      { accessKeyId: STS.id, accessKeySecret: STS.secret, securityToken: STS.token, expiration: '2099-01-01T00:00:00Z',
        allow: ['ice:*AIAgent*', 'ice:*NotifyConfig'], account: 'testid' },
      { accessKeyId: STOP_ONLY.id, accessKeySecret: STOP_ONLY.secret, allow: ['ice:StopAIAgentInstance'], account: 'testid' },
    ] },
  }));
  emu = await startEmulator({ args: ['--fixtures', path.join(sourceDir, 'fixtures/default.json'), '--fixtures', extra] });
});
after(async () => { await stopCleanly(emu); });
beforeEach(async () => { await call(`${emu.url}/_emulator/reset`, { method: 'POST' }); });

for (const client of clients) {
  test(`${client.name}: outbound call Takeover and Forward; CallInfo has its 7 fields`, async () => {
    const ice = client.make(emu.port);
    const { InstanceId: id } = await ice('StartAIAgentOutboundCall', { AIAgentId: VOICE_AGENT, CalledNumber: '13800000000', CallerNumber: '057188880000' });
    const running = await ice('DescribeAIAgentInstance', { InstanceId: id });
    assert.equal(running.Instance.CallInfo.Status, '2');
    const takeover = await ice('TakeoverAIAgentCall', { InstanceId: id, HumanAgentUserId: 'uid2', RequireToken: 'true' });
    assert.equal(takeover.HumanAgentUserId, 'uid2');
    assert.match(takeover.ChannelId, /^[0-9a-f]{32}$/);
    assert.ok(takeover.Token.length > 0);
    await rejects(ice('ForwardAIAgentCall', { InstanceId: id }), client, 'MissingCalledNumber', 400);
    assert.deepEqual(Object.keys(await ice('ForwardAIAgentCall', { InstanceId: id, CalledNumber: '13900000000', TransferPrompt: 'One moment.' })), ['RequestId']);
    const ended = (await ice('DescribeAIAgentInstance', { InstanceId: id })).Instance;
    assert.equal(ended.Status, 'Finished');
    assert.deepEqual(Object.keys(ended.CallInfo).sort(),
      ['CallDuration', 'CallEndTime', 'CallStartTime', 'CalleeNumber', 'CallerNumber', 'HangupRole', 'Status']);
    assert.equal(ended.CallInfo.HangupRole, 2);
    assert.equal(ended.CallInfo.Status, '4');
    await rejects(ice('ForwardAIAgentCall', { InstanceId: id, CalledNumber: '13900000000' }), client, 'IncorrectInstanceStatus', 403);
    await rejects(ice('TakeoverAIAgentCall', { InstanceId: 'f'.repeat(32) }), client, 'ResourceNotFound', 404);
  });

  test(`${client.name}: voiceprints, notify config and a video audit task`, async () => {
    const ice = client.make(emu.port);
    const input = JSON.stringify({ Type: 'url', Format: 'wav', Data: 'https://bucket.oss-cn-hangzhou.aliyuncs.com/a.wav' });
    assert.equal((await ice('SetAIAgentVoiceprint', { VoiceprintId: 'vp_1', Input: input })).VoiceprintId, 'vp_1');
    const listed = await ice('ListAIAgentVoiceprints', { PageNumber: '1', PageSize: '10' });
    assert.equal(listed.TotalCount, 1);
    assert.equal(listed.Voiceprints[0].VoiceprintId, 'vp_1');
    assert.match(listed.Voiceprints[0].GmtCreate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
    await ice('ClearAIAgentVoiceprint', { VoiceprintId: 'vp_1' });
    await rejects(ice('ClearAIAgentVoiceprint', { VoiceprintId: 'vp_1' }), client, 'ResourceNotFound', 404);
    await rejects(ice('SetAIAgentVoiceprint', { Input: JSON.stringify({ Format: 'mp3', Data: 'x' }) }), client, 'InvalidParameter', 400);
    await rejects(ice('ListAIAgentVoiceprints', { PageSize: '101' }), client, 'InvalidParameter', 400);

    await ice('SetNotifyConfig', { AIAgentId: VOICE_AGENT, EnableNotify: 'true', CallbackUrl: 'http://127.0.0.1:9/cb', EventTypes: 'agent_start,agent_stop,error', Token: 'tok' });
    const config = await ice('DescribeNotifyConfig', { AIAgentId: VOICE_AGENT });
    assert.deepEqual([config.EnableNotify, config.CallbackUrl, config.EventTypes, config.Token], [true, 'http://127.0.0.1:9/cb', 'agent_start,agent_stop,error', 'tok']);
    await rejects(ice('SetNotifyConfig', { AIAgentId: VOICE_AGENT }), client, 'MissingEnableNotify', 400);
    await rejects(ice('SetNotifyConfig', { AIAgentId: VOICE_AGENT, EnableNotify: 'true', CallbackUrl: 'not a url' }), client, 'InvalidParameter', 400);
    await rejects(ice('DescribeNotifyConfig', { AIAgentId: 'no-such-agent' }), client, 'ResourceNotFound', 404);

    const job = await ice('SubmitAIAgentVideoAuditTask', { AIAgentId: VOICE_AGENT, AuditInterval: '3000',
      Input: JSON.stringify({ Type: 'OSS', Media: 'http://my-bucket.oss-cn-shanghai.aliyuncs.com/object-id.mp4' }),
      CapturePolicies: JSON.stringify([{ StartTime: 0, Duration: 10, FrameCount: 2, Prompt: 'describe the scene' }]),
      CallbackConfig: JSON.stringify({ Url: 'http://127.0.0.1:9/audit', Token: 'Bearer t' }), UserData: '{"Custom":"hello"}' });
    assert.match(job.JobId, /^[0-9a-f]{32}$/);
    await rejects(ice('SubmitAIAgentVideoAuditTask', { AIAgentId: VOICE_AGENT, Input: JSON.stringify({ Media: 'http://b/v.mp4' }) }), client, 'MissingCapturePolicies', 400);
    await rejects(ice('SubmitAIAgentVideoAuditTask', { AIAgentId: VOICE_AGENT, Input: JSON.stringify({ Media: 'http://b/v.mp4' }),
      CapturePolicies: JSON.stringify([{ FrameCount: -1 }]) }), client, 'InvalidParameter', 400);
  });

  test(`${client.name}: a real action agentemu does not emulate is 501 NotImplemented, naming it`, async () => {
    const ice = client.make(emu.port);
    const error = await rejects(ice('SubmitASRJob', { InputFile: 'oss://bucket/a.mp4' }), client, 'NotImplemented', 501);
    assert.equal(error.data.Message, 'agentemu does not emulate the ICE action SubmitASRJob.');
    await rejects(ice('SubmitASRJobz', {}), client, 'InvalidAction.NotFound', 404);
  });

  test(`${client.name}: the gateway's exact messages (signature, time stamp, RAM)`, async () => {
    const v3 = client.name.endsWith('V3');
    const wrong = client.make(emu.port, { key: { id: TEST_KEY.id, secret: 'not-the-secret' } });
    const mismatch = await rejects(wrong('GetAIAgentConcurrency', { AIAgentId: VOICE_AGENT }), client, 'SignatureDoesNotMatch', 400);
    if (v3) {
      assert.match(mismatch.data.Message, /^Specified signature does not match our calculation\. server StringToSign is \[ACS3-HMAC-SHA256\n[0-9a-f]{64}\]$/);
    } else {
      assert.match(mismatch.data.Message, /^Specified signature is not matched with our calculation\. server string to sign is:(GET|POST)&%2F&/);
    }
    const denied = await rejects(client.make(emu.port, { key: STOP_ONLY })('DescribeAIAgentInstance', { InstanceId: 'x' }), client, 'Forbidden.RAM', 403);
    assert.equal(denied.data.Message, 'User not authorized to operate on the specified resource, or this API doesn\'t support RAM.');
    assert.deepEqual(Object.keys(denied.data.AccessDeniedDetail), ['AuthAction', 'AuthPrincipalDisplayName', 'AuthPrincipalOwnerId',
      'AuthPrincipalType', 'NoPermissionType', 'PolicyType', 'EncodedDiagnosticMessage']);
    await setClock(emu.url, 20 * 60);
    try {
      const expired = await rejects(client.make(emu.port)('GetAIAgentConcurrency', { AIAgentId: VOICE_AGENT }), client, 'InvalidTimeStamp.Expired', 400);
      assert.equal(expired.data.Message, 'Specified time stamp or date value is expired.');
    } finally {
      await setClock(emu.url, 0);
    }
  });

  test(`${client.name}: STS credentials: the token is sent, required and checked`, async () => {
    const sts = client.make(emu.port, { key: STS });
    assert.equal((await sts('GetAIAgentConcurrency', { AIAgentId: VOICE_AGENT })).ActiveCount, 0);
    await sts('SetNotifyConfig', { AIAgentId: VOICE_AGENT, EnableNotify: 'false' });
    const denied = await rejects(sts('SubmitASRJob', {}), client, 'Forbidden.RAM', 403);
    assert.equal(denied.data.AccessDeniedDetail.AuthPrincipalType, 'AssumedRoleUser');
    await rejects(client.make(emu.port, { key: { id: STS.id, secret: STS.secret } })('GetAIAgentConcurrency', { AIAgentId: VOICE_AGENT }),
      client, 'MissingSecurityToken', 400);
    await rejects(client.make(emu.port, { key: { ...STS, token: 'forged' } })('GetAIAgentConcurrency', { AIAgentId: VOICE_AGENT }),
      client, 'InvalidSecurityToken.Malformed', 400);
    // A permanent key sent with the STS credential's token.
    await rejects(client.make(emu.port, { key: { ...TEST_KEY, token: STS.token } })('GetAIAgentConcurrency', { AIAgentId: VOICE_AGENT }),
      client, 'InvalidSecurityToken.MismatchWithAccessKey', 400);
  });
}

test('Format=XML through openapi-core (V3 and V2): the answer is <Action>Response', async () => {
  for (const client of clients.filter((c) => c.name.startsWith('openapi-core'))) {
    const ice = client.make(emu.port);
    await ice('SetNotifyConfig', { AIAgentId: VOICE_AGENT, EnableNotify: 'true', Token: 'x<y' });
    const xml = await ice('DescribeNotifyConfig', { AIAgentId: VOICE_AGENT }, { format: 'XML' });
    assert.match(xml, /^<\?xml version='1\.0' encoding='UTF-8'\?><DescribeNotifyConfigResponse><RequestId>[0-9A-F-]{36}<\/RequestId><AudioOssPath><\/AudioOssPath>/);
    assert.ok(xml.includes('<EnableNotify>true</EnableNotify>'), xml);
    assert.ok(xml.includes('<Token>x&lt;y</Token>'), xml);
    const json = await ice('DescribeNotifyConfig', { AIAgentId: VOICE_AGENT }, { format: 'JSON' });
    assert.equal(json.Token, 'x<y');
  }
});
