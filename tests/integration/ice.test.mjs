// ICE over loopback with hand-signed requests: routing, both signatures and their failures, the
// envelope, validation, the instance life, tenancy, RAM-style denial, Format=XML, scenarios.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, stopCleanly, call, rawExchange, sourceDir } from '../support/emulator.mjs';
import {
  v2, v3, v2Request, v3Request, send, setClock, isoSeconds, rfc3986, TEST_KEY, VOICE_AGENT, AVATAR_AGENT,
} from '../support/ice.mjs';

const STOP_ONLY = { id: 'stoponly', secret: 'stoponlysecret' };
const OTHER = { id: 'otherid', secret: 'othersecret' };
const runtime = JSON.stringify({ AgentUserId: 'agent1', ChannelId: 'channel1', AuthToken: 'token' });

let emu;
let base;
let fixtureArgs;

before(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ice-it-'));
  const extra = path.join(dir, 'ice-extra.json');
  fs.writeFileSync(extra, JSON.stringify({
    ice: {
      accessKeys: [
        { accessKeyId: STOP_ONLY.id, accessKeySecret: STOP_ONLY.secret, allow: ['ice:StopAIAgentInstance'], account: 'testid' },
        { accessKeyId: OTHER.id, accessKeySecret: OTHER.secret, allow: ['ice:*'] },
      ],
      agents: [{ AIAgentId: 'other-account-agent', account: OTHER.id }],
    },
  }));
  fixtureArgs = ['--fixtures', path.join(sourceDir, 'fixtures/default.json'), '--fixtures', extra];
  emu = await startEmulator({ args: fixtureArgs });
  base = emu.url;
});
after(async () => { await stopCleanly(emu); });
beforeEach(async () => { await call(`${base}/_emulator/reset`, { method: 'POST' }); });

const start = async (params = {}, key = TEST_KEY) => {
  const r = await v3(base, { action: 'StartAIAgentInstance', key, params: { AIAgentId: VOICE_AGENT, RuntimeConfig: runtime, ...params } });
  assert.equal(r.status, 200, r.text);
  return r.json.InstanceId;
};

function assertEnvelope(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.Code, code, r.text);
  assert.match(r.json.RequestId, /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
  assert.equal(typeof r.json.HostId, 'string');
  assert.equal(typeof r.json.Message, 'string');
  assert.equal(r.json.Recommend, `https://api.aliyun.com/troubleshoot?q=${code}&product=ICE&requestId=${r.json.RequestId}`);
  assert.equal(r.headers.get('content-type'), 'application/json;charset=utf-8');
  assert.equal(r.headers.get('x-acs-request-id'), r.json.RequestId);
}

test('routing: x-acs-action, Version=2020-11-09, SignatureMethod or an aliyuncs.com Host select ICE', async () => {
  const byHeader = await call(`${base}/`, { headers: { 'x-acs-action': 'DescribeAIAgentInstance' } });
  assertEnvelope(byHeader, 400, 'MissingAction');  // no Authorization: read as V2
  const byVersion = await call(`${base}/?Version=2020-11-09`);
  assertEnvelope(byVersion, 400, 'MissingAction');
  assert.equal(byVersion.json.Message, 'Action is mandatory for this action.');
  const byMethod = await call(`${base}/?SignatureMethod=HMAC-SHA1&Action=X`);
  assertEnvelope(byMethod, 400, 'MissingVersion');
  const byForm = await call(`${base}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Version=2020-11-09' });
  assertEnvelope(byForm, 400, 'MissingAction');
  // A V3 request that lost x-acs-action is still ICE's, by its ACS3 Authorization.
  const byAuthorization = await call(`${base}/`, { method: 'POST', headers: { authorization: 'ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host,Signature=00' } });
  assertEnvelope(byAuthorization, 400, 'MissingHeader');
  assert.equal(byAuthorization.json.Message, 'Specified header x-acs-action is mandatory for this action.');
  // fetch cannot set Host: write the request by hand.
  const { data } = await rawExchange(emu.port, 'GET /some/path HTTP/1.1\r\nHost: ice.cn-shanghai.aliyuncs.com\r\nConnection: close\r\n\r\n');
  assert.match(data, /^HTTP\/1\.1 404 /);
  const byHost = JSON.parse(data.slice(data.indexOf('\r\n\r\n') + 4));
  assert.equal(byHost.Code, 'InvalidAction.NotFound');
  assert.equal(byHost.HostId, 'ice.cn-shanghai.aliyuncs.com');
  const notIce = await call(`${base}/?Foo=1`);
  assert.equal(notIce.status, 404);
  assert.equal(notIce.json.Code, undefined);
});

test('V2 GET and V2 POST with a form body (pop-core style) both verify', async () => {
  const id = await start();
  const get = await v2(base, { action: 'DescribeAIAgentInstance', params: { InstanceId: id } });
  assert.equal(get.status, 200, get.text);
  assert.equal(get.json.Instance.Status, 'Executing');
  const post = await v2(base, { action: 'DescribeAIAgentInstance', method: 'POST', inBody: true, params: { InstanceId: id } });
  assert.equal(post.status, 200, post.text);
  // Reserved characters, spaces and unicode survive the round trip.
  const tricky = "a b+c!'()*~ü/?&=";
  const withData = await v2(base, { action: 'StartAIAgentInstance', method: 'POST', params: { AIAgentId: VOICE_AGENT, RuntimeConfig: runtime, UserData: tricky } });
  assert.equal(withData.status, 200, withData.text);
  const d = await v2(base, { action: 'DescribeAIAgentInstance', params: { InstanceId: withData.json.InstanceId } });
  assert.equal(d.json.Instance.UserData, tricky);
});

test('V3 with query parameters, with a form body, and without the optional nonce', async () => {
  const id = await start({ UserData: "x (y)!*'" });
  const q = await v3(base, { action: 'DescribeAIAgentInstance', params: { InstanceId: id } });
  assert.equal(q.status, 200, q.text);
  assert.equal(q.json.Instance.UserData, "x (y)!*'");
  const form = await v3(base, { action: 'DescribeAIAgentInstance', form: true, params: { InstanceId: id } });
  assert.equal(form.status, 200, form.text);
  const noNonce = await v3(base, { action: 'DescribeAIAgentInstance', params: { InstanceId: id }, signatureNonce: null });
  assert.equal(noNonce.status, 200, noNonce.text);
});

test('SignatureDoesNotMatch carries the server string to sign; V3 puts the canonical request in the diagnostic', async () => {
  const bad2 = v2Request(base, { action: 'DescribeAIAgentInstance', params: { InstanceId: 'x' }, key: { id: 'testid', secret: 'wrong' } });
  const r2 = await send(bad2);
  assertEnvelope(r2, 400, 'SignatureDoesNotMatch');
  const expectedSts = (await import('../support/ice.mjs')).v2StringToSign('GET', Object.fromEntries(new URL(bad2.url).searchParams));
  assert.equal(r2.json.Message, `Specified signature is not matched with our calculation. server string to sign is:${expectedSts}`);

  const bad3 = v3Request(base, { action: 'DescribeAIAgentInstance', params: { InstanceId: 'x' }, secret: 'wrong' });
  const r3 = await send(bad3);
  assertEnvelope(r3, 400, 'SignatureDoesNotMatch');
  assert.equal(r3.json.Message, `Specified signature does not match our calculation. server StringToSign is [${bad3.stringToSign}]`);
  const diagnostic = r3.headers.get('x-agentemu-diagnostic');
  assert.ok(diagnostic.includes(bad3.canonicalRequest.replaceAll('\n', '\\n')), diagnostic);

  // A parameter changed after signing is caught too.
  const tampered = await send(v2Request(base, { action: 'DescribeAIAgentInstance', params: { InstanceId: 'x' }, tamper: (p) => { p.InstanceId = 'y'; } }));
  assertEnvelope(tampered, 400, 'SignatureDoesNotMatch');
});

test('V3: unsigned x-acs-* headers, a malformed Authorization and other algorithms are IncompleteSignature', async () => {
  const unsigned = await v3(base, { action: 'DescribeAIAgentInstance', params: { InstanceId: 'x' }, signedHeaders: 'host;x-acs-action;x-acs-date' });
  assertEnvelope(unsigned, 400, 'IncompleteSignature');
  assert.match(unsigned.json.Message, /x-acs-/);
  const garbled = await call(`${base}/`, { method: 'POST', headers: { 'x-acs-action': 'DescribeAIAgentInstance', 'x-acs-version': '2020-11-09', authorization: 'garbage' } });
  assertEnvelope(garbled, 400, 'IncompleteSignature');
  const sm3 = await v3(base, { action: 'DescribeAIAgentInstance', params: { InstanceId: 'x' }, algorithm: 'ACS3-HMAC-SM3' });
  assertEnvelope(sm3, 400, 'IncompleteSignature');
});

test('timestamps: 15 minutes either way of the emulator clock; a bad format is InvalidTimeStamp.Format', async () => {
  const at = (minutes) => isoSeconds(new Date(Date.now() + minutes * 60_000));
  assertEnvelope(await v2(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT }, timestamp: at(-16) }), 400, 'InvalidTimeStamp.Expired');
  assertEnvelope(await v2(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT }, timestamp: at(16) }), 400, 'InvalidTimeStamp.Expired');
  assertEnvelope(await v3(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT }, date: at(-16) }), 400, 'InvalidTimeStamp.Expired');
  assert.equal((await v2(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT }, timestamp: at(-14) })).status, 200);
  assertEnvelope(await v2(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT }, timestamp: '2025-13-01 00:00' }), 400, 'InvalidTimeStamp.Format');
  assertEnvelope(await v3(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT }, date: 'yesterday' }), 400, 'InvalidTimeStamp.Format');
  // The window follows PUT /_emulator/clock.
  await setClock(base, 20 * 60);
  assertEnvelope(await v3(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT } }), 400, 'InvalidTimeStamp.Expired');
  assert.equal((await v3(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT }, date: at(20) })).status, 200);
});

test('SignatureNonce reuse within 15 minutes is SignatureNonceUsed; later it is fresh again', async () => {
  const n = 'nonce-for-replay-test';
  assert.equal((await v2(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT }, signatureNonce: n })).status, 200);
  assertEnvelope(await v2(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT }, signatureNonce: n }), 400, 'SignatureNonceUsed');
  assertEnvelope(await v3(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT }, signatureNonce: n }), 400, 'SignatureNonceUsed');
  // Another access key has its own nonces.
  assert.equal((await v3(base, { action: 'GetAIAgentConcurrency', key: OTHER, params: { AIAgentId: 'other-account-agent' }, signatureNonce: n })).status, 200);
  await setClock(base, 16 * 60);
  const later = isoSeconds(new Date(Date.now() + 16 * 60_000));
  assert.equal((await v2(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT }, signatureNonce: n, timestamp: later })).status, 200);
});

test('unknown access key, missing common parameters, wrong version, unknown action', async () => {
  assertEnvelope(await v2(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT }, key: { id: 'nobody', secret: 's' } }), 404, 'InvalidAccessKeyId.NotFound');
  assertEnvelope(await v3(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT }, key: { id: 'nobody', secret: 's' } }), 404, 'InvalidAccessKeyId.NotFound');
  const noSig = await v2(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT }, tamper: (p) => { delete p.Signature; } });
  assertEnvelope(noSig, 400, 'MissingSignature');
  assert.equal(noSig.json.Message, 'Signature is mandatory for this action.');
  const noKey = await v2(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT }, tamper: (p) => { delete p.AccessKeyId; } });
  assertEnvelope(noKey, 400, 'MissingAccessKeyId');
  assert.equal(noKey.json.Message, 'AccessKeyId is mandatory for this action.');
  const noTs = await v2(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT }, tamper: (p) => { delete p.Timestamp; } });
  assertEnvelope(noTs, 400, 'MissingTimestamp');
  assert.equal(noTs.json.Message, 'Timestamp is mandatory for this action.');
  const noNonce = await v2(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT }, tamper: (p) => { delete p.SignatureNonce; } });
  assertEnvelope(noNonce, 400, 'MissingSignatureNonce');
  assertEnvelope(await v2(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT }, common: { Version: '2019-01-01' } }), 400, 'InvalidVersion');
  assertEnvelope(await v3(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT }, version: '2017-01-01' }), 400, 'InvalidVersion');
  const unknown = await v3(base, { action: 'DescribeInstances', params: {} });
  assertEnvelope(unknown, 404, 'InvalidAction.NotFound');
  assert.equal(unknown.json.Message, 'Specified api is not found, please check your url and method.');
  assertEnvelope(await call(`${base}/?Version=2020-11-09&Action=StopAIAgentInstance`, { method: 'PUT' }), 404, 'InvalidAction.NotFound');
  const badMethod = await v2(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT }, common: { SignatureMethod: 'HMAC-SHA256' } });
  assertEnvelope(badMethod, 400, 'InvalidParameter');
  assert.match(badMethod.json.Message, /SignatureMethod/);
});

test('Missing<Name>: "<Name> is mandatory for this action." for each required parameter; empty counts as missing', async () => {
  const cases = [
    ['StartAIAgentInstance', { RuntimeConfig: runtime }, 'AIAgentId'],
    ['StartAIAgentInstance', { AIAgentId: VOICE_AGENT }, 'RuntimeConfig'],
    ['StopAIAgentInstance', { InstanceId: '' }, 'InstanceId'],
    ['SendAIAgentSpeech', { InstanceId: 'x' }, 'Text'],
    ['SendAIAgentDataChannelMessage', { InstanceId: 'x' }, 'Message'],
    ['ListAIAgentDialogues', { SessionId: 's', StartTime: '0' }, 'EndTime'],
    ['DeleteAIAgentDialogue', { SessionId: 's' }, 'DialogueId'],
    ['StartAIAgentOutboundCall', { AIAgentId: VOICE_AGENT, CalledNumber: '13800000000' }, 'CallerNumber'],
  ];
  for (const [action, params, name] of cases) {
    const r = await v2(base, { action, params });
    assertEnvelope(r, 400, `Missing${name}`);
    assert.equal(r.json.Message, `${name} is mandatory for this action.`);
  }
});

test('bad input is InvalidParameter naming the parameter; nothing crashes, state is kept', async () => {
  const id = await start();
  const cases = [
    ['StartAIAgentInstance', { AIAgentId: VOICE_AGENT, RuntimeConfig: '{"a":' }, 'RuntimeConfig'],
    ['StartAIAgentInstance', { AIAgentId: VOICE_AGENT, RuntimeConfig: '[1,2]' }, 'RuntimeConfig'],
    ['StartAIAgentInstance', { AIAgentId: VOICE_AGENT, RuntimeConfig: runtime, AgentConfig: '{"Volume":401}' }, 'AgentConfig.Volume'],
    ['StartAIAgentInstance', { AIAgentId: VOICE_AGENT, RuntimeConfig: runtime, AgentConfig: '{"TtsConfig":{"SpeechRate":"fast"}}' }, 'AgentConfig.TtsConfig.SpeechRate'],
    ['ListAIAgentInstance', { AIAgentId: VOICE_AGENT, PageSize: '101' }, 'PageSize'],
    ['ListAIAgentInstance', { AIAgentId: VOICE_AGENT, PageNumber: '0' }, 'PageNumber'],
    ['ListAIAgentInstance', { AIAgentId: VOICE_AGENT, PageSize: 'ten' }, 'PageSize'],
    ['ListAIAgentInstance', { AIAgentId: VOICE_AGENT, StartTime: 'yesterday' }, 'StartTime'],
    ['SendAIAgentSpeech', { InstanceId: id, Text: 'x'.repeat(1025) }, 'Text'],
    ['SendAIAgentSpeech', { InstanceId: id, Text: 'hi', EnableInterrupt: 'maybe' }, 'EnableInterrupt'],
    ['SendAIAgentSpeech', { InstanceId: id, Text: 'hi', Type: 'Video' }, 'Type'],
    ['SendAIAgentDataChannelMessage', { InstanceId: id, Message: 'not json' }, 'Message'],
    ['SendAIAgentDataChannelMessage', { InstanceId: id, Message: JSON.stringify({ a: 'x'.repeat(8200) }) }, 'Message'],
    ['GenerateAIAgentCall', { AIAgentId: VOICE_AGENT, Expire: '604801' }, 'Expire'],
    ['GenerateAIAgentCall', { AIAgentId: VOICE_AGENT, UserId: 'u'.repeat(65) }, 'UserId'],
    ['ListAIAgentDialogues', { SessionId: 's', StartTime: 'now', EndTime: '1' }, 'StartTime'],
    ['ListAIAgentDialogues', { SessionId: 's', StartTime: '0', EndTime: '1', RoundLimit: '0' }, 'RoundLimit'],
    ['StartAIAgentOutboundCall', { AIAgentId: VOICE_AGENT, CalledNumber: 'call me', CallerNumber: '1' }, 'CalledNumber'],
    ['UpdateAIAgentInstance', { InstanceId: id, AgentConfig: '{"LlmConfig":{"LlmSystemPrompt":"x"}}' }, 'AgentConfig.LlmConfig.LlmSystemPrompt'],
    ['UpdateAIAgentInstance', { InstanceId: id, AgentConfig: '{"MaxIdleTime":5}' }, 'AgentConfig.MaxIdleTime'],
    ['ListAIAgentPhoneNumber', { Status: '5' }, 'Status'],
  ];
  for (const [action, params, name] of cases) {
    const r = await v3(base, { action, params });
    assertEnvelope(r, 400, 'InvalidParameter');
    assert.ok(r.json.Message.startsWith(`The specified parameter "${name}" is not valid`), `${action}: ${r.json.Message}`);
  }
  // Duplicates (query twice, or query and body) and broken percent-encoding.
  const dup = await call(`${base}/?Version=2020-11-09&Action=StopAIAgentInstance&InstanceId=a&InstanceId=b`);
  assertEnvelope(dup, 400, 'InvalidParameter');
  assert.match(dup.json.Message, /"InstanceId".*more than once/);
  const dupBody = await call(`${base}/?Version=2020-11-09&Action=StopAIAgentInstance`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=StopAIAgentInstance' });
  assertEnvelope(dupBody, 400, 'InvalidParameter');
  const broken = await call(`${base}/?Version=2020-11-09&Action=StopAIAgentInstance&InstanceId=%zz`);
  assertEnvelope(broken, 400, 'InvalidParameter');
  assert.match(broken.json.Message, /"InstanceId".*percent-encoding/);
  const brokenBody = await call(`${base}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Version=2020-11-09&Text=%E' });
  assertEnvelope(brokenBody, 400, 'InvalidParameter');
  // The instance is untouched by all of that.
  const d = await v3(base, { action: 'DescribeAIAgentInstance', params: { InstanceId: id } });
  assert.equal(d.json.Instance.Status, 'Executing');
  assert.deepEqual(d.json.Instance.AgentConfig, {});
});

test('instance life: Start -> Describe -> Send* -> Update -> Stop -> Describe, with the emulator clock', async () => {
  // Created an hour ago by the emulator's clock (signed with that clock's time).
  await setClock(base, -3600);
  const created = new Date(Date.now() - 3600_000);
  const agentConfig = { Greeting: 'Hello!', TtsConfig: { VoiceId: 'zhixiaoxia', SpeechRate: 1.2 }, Volume: 100, LlmConfig: { LlmSystemPrompt: 'be nice' } };
  const started = await v3(base, { action: 'StartAIAgentInstance', date: isoSeconds(created), params: { AIAgentId: VOICE_AGENT, RuntimeConfig: runtime,
    AgentConfig: JSON.stringify(agentConfig), SessionId: 'session-1', UserData: '{"Email":"a@b.c"}', TemplateConfig: JSON.stringify({ VoiceChat: { VoiceId: 'x' } }) } });
  assert.equal(started.status, 200, started.text);
  const instanceId = started.json.InstanceId;
  assert.match(instanceId, /^[0-9a-f]{32}$/);
  await setClock(base, 0);
  const d1 = await v3(base, { action: 'DescribeAIAgentInstance', params: { InstanceId: instanceId } });
  const inst = d1.json.Instance;
  assert.equal(inst.Status, 'Executing');
  assert.deepEqual(inst.RuntimeConfig, JSON.parse(runtime));
  assert.deepEqual(inst.AgentConfig, agentConfig);
  assert.deepEqual(inst.TemplateConfig, { VoiceChat: { VoiceId: 'x' } });
  assert.equal(inst.UserData, '{"Email":"a@b.c"}');
  assert.equal(inst.SessionId, 'session-1');
  assert.match(inst.GmtCreate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
  assert.ok(Math.abs(Date.parse(inst.GmtCreate) - created.getTime()) < 60_000, `${inst.GmtCreate} is an hour ago`);

  for (const [action, params] of [['SendAIAgentText', { Text: 'What is the weather?' }], ['SendAIAgentSpeech', { Text: 'Sunny.', EnableInterrupt: 'false' }],
    ['SendAIAgentDataChannelMessage', { Message: '{"type":"ping"}' }]]) {
    const r = await v2(base, { action, params: { InstanceId: instanceId, ...params } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json), ['RequestId']);
  }
  const dialogues = await v3(base, { action: 'ListAIAgentDialogues', params: { SessionId: 'session-1', StartTime: '0', EndTime: String(Date.now() + 60_000), Order: 'ASC' } });
  assert.equal(dialogues.status, 200, dialogues.text);
  assert.deepEqual(dialogues.json.Dialogues.map((d) => [d.Producer, d.Type, d.Text]),
    [['agent', 'greeting', 'Hello!'], ['user', 'normal', 'What is the weather?'], ['agent', 'speech', 'Sunny.'], ['user', 'custom', '{"type":"ping"}']]);
  const latest = await v3(base, { action: 'ListAIAgentDialogues', params: { SessionId: 'session-1', StartTime: '0', EndTime: String(Date.now() + 60_000), RoundLimit: '2' } });
  assert.deepEqual(latest.json.Dialogues.map((d) => d.Text), ['{"type":"ping"}', 'Sunny.']);  // DESC by default
  const page2 = await v3(base, { action: 'ListAIAgentDialogues', params: { SessionId: 'session-1', StartTime: '0', EndTime: String(Date.now() + 60_000), PageSize: '3', PageNumber: '2' } });
  assert.deepEqual(page2.json.Dialogues.map((d) => d.Text), ['Hello!']);
  const first = dialogues.json.Dialogues[1];
  assert.equal((await v3(base, { action: 'DeleteAIAgentDialogue', params: { SessionId: 'session-1', DialogueId: first.DialogueId } })).status, 200);
  assertEnvelope(await v3(base, { action: 'DeleteAIAgentDialogue', params: { SessionId: 'session-1', DialogueId: first.DialogueId } }), 404, 'ResourceNotFound');

  const upd = await v3(base, { action: 'UpdateAIAgentInstance', params: { InstanceId: instanceId,
    AgentConfig: JSON.stringify({ TtsConfig: { VoiceId: 'longxiaochun' }, Greeting: 'Hi again', InterruptConfig: { EnableVoiceInterrupt: false } }), UserData: 'updated' } });
  assert.equal(upd.status, 200, upd.text);
  const d2 = (await v3(base, { action: 'DescribeAIAgentInstance', params: { InstanceId: instanceId } })).json.Instance;
  assert.deepEqual(d2.AgentConfig, { ...agentConfig, Greeting: 'Hi again', TtsConfig: { VoiceId: 'longxiaochun', SpeechRate: 1.2 }, InterruptConfig: { EnableVoiceInterrupt: false } });
  assert.equal(d2.UserData, 'updated');
  assert.ok(Date.parse(d2.GmtModified) > Date.parse(d2.GmtCreate));

  assert.equal((await v3(base, { action: 'StopAIAgentInstance', params: { InstanceId: instanceId } })).status, 200);
  const d3 = (await v3(base, { action: 'DescribeAIAgentInstance', params: { InstanceId: instanceId } })).json.Instance;
  assert.equal(d3.Status, 'Finished');
  // A second stop, Send* and Update on a finished instance: IncorrectInstanceStatus (403).
  for (const [action, params] of [['StopAIAgentInstance', {}], ['SendAIAgentText', { Text: 'x' }], ['SendAIAgentSpeech', { Text: 'x' }],
    ['SendAIAgentDataChannelMessage', { Message: '{}' }], ['UpdateAIAgentInstance', { UserData: 'x' }]]) {
    const r = await v3(base, { action, params: { InstanceId: instanceId, ...params } });
    assertEnvelope(r, 403, 'IncorrectInstanceStatus');
  }
  for (const action of ['DescribeAIAgentInstance', 'StopAIAgentInstance', 'SendAIAgentText']) {
    const r = await v3(base, { action, params: { InstanceId: 'f'.repeat(32), Text: 'x' } });
    assertEnvelope(r, 404, 'ResourceNotFound');
    assert.match(r.json.Message, /InstanceId/);
  }
});

test('List pages newest first and filters by GmtCreate; GetAIAgentConcurrency counts Executing instances', async () => {
  const ids = [];
  for (let i = 0; i < 5; i += 1) {
    await setClock(base, i * 60);
    const r = await v3(base, { action: 'StartAIAgentInstance', date: isoSeconds(new Date(Date.now() + i * 60_000)), params: { AIAgentId: VOICE_AGENT, RuntimeConfig: runtime, UserData: `n${i}` } });
    ids.push(r.json.InstanceId);
  }
  await setClock(base, 0);
  await start({ AIAgentId: AVATAR_AGENT });
  const list = async (params) => (await v3(base, { action: 'ListAIAgentInstance', params: { AIAgentId: VOICE_AGENT, ...params } })).json.Instances;
  assert.deepEqual((await list({})).map((i) => i.UserData), ['n4', 'n3', 'n2', 'n1', 'n0']);
  assert.deepEqual((await list({ PageSize: '2', PageNumber: '2' })).map((i) => i.UserData), ['n2', 'n1']);
  assert.deepEqual((await list({ PageSize: '2', PageNumber: '4' })), []);
  const t = (min) => new Date(Date.now() + min * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  assert.deepEqual((await list({ StartTime: t(0.5), EndTime: t(3.5) })).map((i) => i.UserData), ['n3', 'n2', 'n1']);
  const item = (await list({ PageSize: '1' }))[0];
  assert.equal(item.InstanceId, ids[4]);
  for (const k of ['AgentConfig', 'RuntimeConfig', 'TemplateConfig']) assert.equal(typeof item[k], 'object');
  assert.equal(item.Status, 'Executing');

  const concurrency = async (agent) => (await v3(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: agent } })).json.ActiveCount;
  assert.equal(await concurrency(VOICE_AGENT), 5);
  await v3(base, { action: 'StopAIAgentInstance', params: { InstanceId: ids[0] } });
  assert.equal(await concurrency(VOICE_AGENT), 4);
  assert.equal(await concurrency(AVATAR_AGENT), 1);
  assertEnvelope(await v3(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: 'no-such-agent' } }), 404, 'ResourceNotFound');
  assertEnvelope(await v3(base, { action: 'ListAIAgentInstance', params: { AIAgentId: 'no-such-agent' } }), 404, 'ResourceNotFound');
  assertEnvelope(await v3(base, { action: 'StartAIAgentInstance', params: { AIAgentId: 'no-such-agent', RuntimeConfig: runtime } }), 404, 'ResourceNotFound');
});

test('GenerateAIAgentCall, StartAIAgentOutboundCall and ListAIAgentPhoneNumber', async () => {
  const g = await v3(base, { action: 'GenerateAIAgentCall', params: { AIAgentId: AVATAR_AGENT, UserId: 'alice', Expire: '600' } });
  assert.equal(g.status, 200, g.text);
  for (const k of ['AIAgentUserId', 'AvatarUserId', 'ChannelId', 'InstanceId', 'Token', 'UserId']) assert.equal(typeof g.json[k], 'string', k);
  assert.equal(g.json.UserId, 'alice');
  assert.ok(g.json.AvatarUserId.startsWith('avatar_'));
  const gd = (await v3(base, { action: 'DescribeAIAgentInstance', params: { InstanceId: g.json.InstanceId } })).json.Instance;
  assert.equal(gd.Status, 'Executing');
  assert.equal(gd.RuntimeConfig.ChannelId, g.json.ChannelId);
  assert.ok(gd.SessionId.length > 0, 'a new session when none is given');
  const voice = await v3(base, { action: 'GenerateAIAgentCall', params: { AIAgentId: VOICE_AGENT } });
  assert.equal(voice.json.AvatarUserId, '');

  const o = await v3(base, { action: 'StartAIAgentOutboundCall', params: { AIAgentId: VOICE_AGENT, CalledNumber: '13800000000', CallerNumber: '057188880000',
    Config: JSON.stringify({ Greeting: 'Hello, this is a call', GreetingDelay: 100 }), UserData: '{"city":"Hangzhou"}' } });
  assert.equal(o.status, 200, o.text);
  const od = (await v3(base, { action: 'DescribeAIAgentInstance', params: { InstanceId: o.json.InstanceId } })).json.Instance;
  assert.equal(od.CallInfo.CalleeNumber, '13800000000');
  assert.equal(od.CallInfo.CallerNumber, '057188880000');
  await v3(base, { action: 'StopAIAgentInstance', params: { InstanceId: o.json.InstanceId } });
  const stopped = (await v3(base, { action: 'DescribeAIAgentInstance', params: { InstanceId: o.json.InstanceId } })).json.Instance;
  assert.equal(typeof stopped.CallInfo.CallEndTime, 'string');
  assert.equal(typeof stopped.CallInfo.CallDuration, 'number');

  const numbers = await v3(base, { action: 'ListAIAgentPhoneNumber', params: {} });
  assert.deepEqual(numbers.json.Data, [{ PhoneNumber: '057188880000', Status: 2 }]);
  assert.equal(numbers.json.TotalNumber, 1);
  assert.equal(numbers.json.PageSize, 50);
  assert.deepEqual((await v3(base, { action: 'ListAIAgentPhoneNumber', params: { Status: '4' } })).json.Data, []);
});

test('RAM-style policy: a key allowed only ice:StopAIAgentInstance is Forbidden.RAM elsewhere', async () => {
  const id = await start();
  const denied = await v3(base, { action: 'DescribeAIAgentInstance', key: STOP_ONLY, params: { InstanceId: id } });
  assertEnvelope(denied, 403, 'Forbidden.RAM');
  assert.equal(denied.json.AccessDeniedDetail.AuthAction, 'ice:DescribeAIAgentInstance');
  assert.equal(denied.json.AccessDeniedDetail.AuthPrincipalDisplayName, STOP_ONLY.id);
  assertEnvelope(await v2(base, { action: 'StartAIAgentInstance', key: STOP_ONLY, params: { AIAgentId: VOICE_AGENT, RuntimeConfig: runtime } }), 403, 'Forbidden.RAM');
  // Same account as testid: it may stop testid's instance.
  assert.equal((await v3(base, { action: 'StopAIAgentInstance', key: STOP_ONLY, params: { InstanceId: id } })).status, 200);
});

test('tenancy: another account sees none of this account\'s instances or agents', async () => {
  const id = await start();
  assertEnvelope(await v3(base, { action: 'DescribeAIAgentInstance', key: OTHER, params: { InstanceId: id } }), 404, 'ResourceNotFound');
  assertEnvelope(await v3(base, { action: 'StopAIAgentInstance', key: OTHER, params: { InstanceId: id } }), 404, 'ResourceNotFound');
  assertEnvelope(await v3(base, { action: 'StartAIAgentInstance', params: { AIAgentId: 'other-account-agent', RuntimeConfig: runtime } }), 404, 'ResourceNotFound');
  const theirs = await v3(base, { action: 'StartAIAgentInstance', key: OTHER, params: { AIAgentId: VOICE_AGENT, RuntimeConfig: runtime } });
  assert.equal(theirs.status, 200, 'agents without an account are shared');
  assert.equal((await v3(base, { action: 'GetAIAgentConcurrency', key: OTHER, params: { AIAgentId: VOICE_AGENT } })).json.ActiveCount, 1);
  assert.equal((await v3(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT } })).json.ActiveCount, 1);
});

test('Format=XML is honoured for answers and errors', async () => {
  const id = await start({ UserData: 'a<b&c' });
  const ok = await v2(base, { action: 'DescribeAIAgentInstance', params: { InstanceId: id }, format: 'XML' });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('content-type'), 'text/xml;charset=utf-8');
  assert.ok(ok.text.startsWith("<?xml version='1.0' encoding='UTF-8'?><DescribeAIAgentInstanceResponse><RequestId>"), ok.text);
  assert.match(ok.text, /<Instance>.*<RuntimeConfig><AgentUserId>agent1<\/AgentUserId>.*<Status>Executing<\/Status>.*<UserData>a&lt;b&amp;c<\/UserData><\/Instance><\/DescribeAIAgentInstanceResponse>$/);
  const err = await v2(base, { action: 'DescribeAIAgentInstance', params: { InstanceId: 'nope' }, format: 'xml' });
  assert.equal(err.status, 404);
  assert.equal(err.headers.get('content-type'), 'text/xml;charset=utf-8');
  assert.match(err.text, /^<\?xml version='1.0' encoding='UTF-8'\?><Error><RequestId>[0-9A-F-]{36}<\/RequestId><HostId>[^<]+<\/HostId><Code>ResourceNotFound<\/Code><Message>[^<]+<\/Message><Recommend>[^<]+<\/Recommend><\/Error>$/);
  const list = await v2(base, { action: 'ListAIAgentInstance', params: { AIAgentId: VOICE_AGENT }, format: 'XML' });
  assert.match(list.text, /<Instances><InstanceId>/);
  assertEnvelope(await v2(base, { action: 'DescribeAIAgentInstance', params: { InstanceId: id }, format: 'YAML' }), 400, 'InvalidParameter');
});

test('scenarios render ICE errors: Throttling.User with x-acs-retry-after, Missing<Name>, a custom status', async () => {
  const scenario = {
    name: 'ice-it',
    rules: [
      { match: { vendor: 'ice', operation: 'GetAIAgentConcurrency' }, when: { times: 1 }, respond: { error: 'Throttling.User', retryAfter: 3 } },
      { match: { vendor: 'ice', operation: 'GetAIAgentConcurrency', params: { AIAgentId: 'scenario-*' } }, respond: { error: 'ServiceUnavailable' } },
      { match: { vendor: 'ice', operation: 'DescribeAIAgentInstance' }, respond: { error: 'MissingFoo', status: 418 } },
    ],
  };
  const put = await call(`${base}/_emulator/scenarios/ice-it`, { method: 'PUT', json: scenario });
  assert.equal(put.status, 200, put.text);
  try {
    const t = await v3(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT } });
    assertEnvelope(t, 400, 'Throttling.User');
    assert.equal(t.json.Message, 'Request was denied due to user flow control.');
    assert.equal(t.headers.get('x-acs-retry-after'), '3');
    assert.equal((await v3(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: VOICE_AGENT } })).status, 200);
    assertEnvelope(await v3(base, { action: 'GetAIAgentConcurrency', params: { AIAgentId: 'scenario-1' } }), 503, 'ServiceUnavailable');
    const m = await v2(base, { action: 'DescribeAIAgentInstance', params: { InstanceId: 'x' } });
    assertEnvelope(m, 418, 'MissingFoo');
    assert.equal(m.json.Message, 'Foo is mandatory for this action.');
    const unknown = await call(`${base}/_emulator/scenarios/bad`, { method: 'PUT', json: { name: 'bad', rules: [{ match: { vendor: 'ice' }, respond: { error: 'NoSuchCode' } }] } });
    assert.equal(unknown.status, 400, unknown.text);
  } finally {
    await call(`${base}/_emulator/scenarios/ice-it`, { method: 'DELETE' });
  }
});

test('journal, state dump and reset', async () => {
  const id = await start({ SessionId: 'journal-session' });
  await v3(base, { action: 'StopAIAgentInstance', params: { InstanceId: 'nope' } });
  const journal = await call(`${base}/_emulator/requests?vendor=ice`);
  const entries = journal.json.requests;
  assert.deepEqual(entries.slice(-2).map((e) => [e.vendor, e.operation, e.status, e.errorCode]),
    [['ice', 'StartAIAgentInstance', 200, null], ['ice', 'StopAIAgentInstance', 404, 'ResourceNotFound']]);
  const state = await call(`${base}/_emulator/state?vendor=ice`);
  assert.ok(state.json.ice.instances.some((i) => i.InstanceId === id && i.account === 'testid'));
  assert.ok(!JSON.stringify(state.json).includes('testsecret'), 'secrets stay out of the dump');
  const merged = await call(`${base}/_emulator/state`, { method: 'POST', json: { ice: { instances: [{ InstanceId: 'seeded', AIAgentId: VOICE_AGENT, account: 'testid', Status: 'Finished', GmtCreate: '2025-01-02T03:04:05Z' }] } } });
  assert.equal(merged.status, 200, merged.text);
  const seeded = await v3(base, { action: 'DescribeAIAgentInstance', params: { InstanceId: 'seeded' } });
  assert.equal(seeded.json.Instance.Status, 'Finished');
  assert.equal(seeded.json.Instance.GmtCreate, '2025-01-02T03:04:05.000+00:00');
  const bad = await call(`${base}/_emulator/state`, { method: 'POST', json: { ice: { instances: [{ InstanceId: 'x', AIAgentId: 'y', Status: 'Paused' }] } } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.pointer, '/ice/instances/0/Status');
  await call(`${base}/_emulator/reset`, { method: 'POST' });
  assertEnvelope(await v3(base, { action: 'DescribeAIAgentInstance', params: { InstanceId: id } }), 404, 'ResourceNotFound');
});

test('--auth lenient: any key and any signature pass; fixture keys keep their allow list', async () => {
  const lenient = await startEmulator({ args: ['--auth', 'lenient', ...fixtureArgs] });
  try {
    const anyKey = await v3(lenient.url, { action: 'StartAIAgentInstance', key: { id: 'whoever', secret: 'whatever' }, date: '2001-01-01T00:00:00Z',
      params: { AIAgentId: VOICE_AGENT, RuntimeConfig: runtime } });
    assert.equal(anyKey.status, 200, anyKey.text);
    const replay = v2Request(lenient.url, { action: 'GetAIAgentConcurrency', key: { id: 'whoever', secret: 'x' }, params: { AIAgentId: VOICE_AGENT }, signatureNonce: 'same' });
    assert.equal((await send(replay)).json.ActiveCount, 1);
    assert.equal((await send(replay)).status, 200);
    assertEnvelope(await v3(lenient.url, { action: 'DescribeAIAgentInstance', key: { id: STOP_ONLY.id, secret: 'wrong' }, params: { InstanceId: 'x' } }), 403, 'Forbidden.RAM');
    assert.equal((await v3(lenient.url, { action: 'GetAIAgentConcurrency', key: { id: 'testid', secret: 'wrong' }, params: { AIAgentId: VOICE_AGENT } })).status, 200);
    // Still checked: parameters, and that a key is named at all.
    assertEnvelope(await v2(lenient.url, { action: 'StopAIAgentInstance', params: {}, key: { id: 'whoever', secret: 'x' } }), 400, 'MissingInstanceId');
    assertEnvelope(await v2(lenient.url, { action: 'StopAIAgentInstance', params: { InstanceId: 'x' }, tamper: (p) => { delete p.AccessKeyId; } }), 400, 'MissingAccessKeyId');
  } finally {
    await stopCleanly(lenient);
  }
});

test('oversized and hostile input never crashes the server', async () => {
  const huge = 'A'.repeat(200_000);
  const r1 = await v3(base, { action: 'SendAIAgentText', form: true, params: { InstanceId: 'x', Text: huge } });
  assertEnvelope(r1, 404, 'ResourceNotFound');
  const r1b = await v3(base, { action: 'SendAIAgentSpeech', form: true, params: { InstanceId: 'x', Text: huge } });
  assertEnvelope(r1b, 400, 'InvalidParameter');
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const r2 = await v3(base, { action: 'StartAIAgentInstance', form: true, params: { AIAgentId: VOICE_AGENT, RuntimeConfig: deep } });
  assertEnvelope(r2, 400, 'InvalidParameter');
  const many = Array.from({ length: 800 }, (_, i) => `p${i}=${i}`).join('&');
  const r3 = await call(`${base}/?Version=2020-11-09&Action=GetAIAgentConcurrency&${many}`);
  assertEnvelope(r3, 400, 'MissingAccessKeyId');
  const r4 = await call(`${base}/?Version=2020-11-09&Action=${rfc3986('\u0000\uFFFF')}`);
  assert.ok(r4.status >= 400 && r4.json.Code, r4.text);
  assert.equal((await call(`${base}/_emulator/health`)).status, 200);
});

test('an oversized head after an ICE request on the same connection is answered 431 and journaled safely', async () => {
  const first = 'GET /?Version=2020-11-09&Action=GetAIAgentConcurrency HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
  const second = `GET /?${'x'.repeat(20_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
  const { data } = await rawExchange(emu.port, first + second);
  assert.match(data, /^HTTP\/1\.1 400 /);
  assert.match(data, /HTTP\/1\.1 431 /);
  const journal = await call(`${base}/_emulator/requests`);
  const last = journal.json.requests.at(-1);
  assert.equal(last.status, 431);
  assert.equal(last.path, '');
  assert.equal((await call(`${base}/_emulator/health`)).status, 200);
});
