// ICE's whole surface over loopback: every action of the SDK model is listed by
// GET /_emulator/operations?vendor=ice and answers as emulated or 501, never as an unknown action;
// STS credentials from POST /_emulator/state; a body that lies about its x-acs-content-sha256;
// the notify configs and video audit tasks in GET /_emulator/state.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startEmulator, stopCleanly, call, sourceDir } from '../support/emulator.mjs';
import { v2, v3, v3Request, send, VOICE_AGENT } from '../support/ice.mjs';

const model = JSON.parse(fs.readFileSync(path.join(sourceDir, 'emulator/vendors/ice/model/ice-2020-11-09.json'), 'utf8'));
let emu;
let base;

before(async () => {
  emu = await startEmulator({ args: ['--fixtures', path.join(sourceDir, 'fixtures/default.json')] });
  base = emu.url;
});
after(async () => { await stopCleanly(emu); });
beforeEach(async () => { await call(`${base}/_emulator/reset`, { method: 'POST' }); });

test('GET /_emulator/operations?vendor=ice lists every action of the SDK model, emulated or not', async () => {
  const listed = (await call(`${base}/_emulator/operations?vendor=ice`)).json.operations;
  assert.equal(listed.length, model.actions.length);
  assert.deepEqual(listed.map((o) => o.operation).sort(), model.actions.map((a) => a.name).sort());
  const emulated = listed.filter((o) => o.emulated).map((o) => o.operation).sort();
  assert.deepEqual(emulated, [
    'ClearAIAgentVoiceprint', 'DeleteAIAgentDialogue', 'DescribeAIAgentInstance', 'DescribeNotifyConfig', 'ForwardAIAgentCall',
    'GenerateAIAgentCall', 'GetAIAgentConcurrency', 'ListAIAgentDialogues', 'ListAIAgentInstance', 'ListAIAgentPhoneNumber',
    'ListAIAgentVoiceprints', 'SendAIAgentDataChannelMessage', 'SendAIAgentSpeech', 'SendAIAgentText', 'SetAIAgentVoiceprint',
    'SetNotifyConfig', 'StartAIAgentInstance', 'StartAIAgentOutboundCall', 'StopAIAgentInstance', 'SubmitAIAgentVideoAuditTask',
    'TakeoverAIAgentCall', 'UpdateAIAgentInstance']);
  // A non-emulated action carries the model's parameters.
  const asr = listed.find((o) => o.operation === 'SubmitASRJob');
  assert.equal(asr.emulated, false);
  assert.deepEqual(asr.parameters.map((p) => p.name), model.actions.find((a) => a.name === 'SubmitASRJob').params.map((p) => p.name));
  assert.deepEqual(asr.errors, ['NotImplemented']);
});

test('every real action answers as emulated or 501 NotImplemented, never InvalidAction.NotFound', async () => {
  const listed = (await call(`${base}/_emulator/operations?vendor=ice`)).json.operations;
  for (const op of listed) {
    const r = await v2(base, { action: op.operation, params: {} });
    assert.notEqual(r.json?.Code, 'InvalidAction.NotFound', `${op.operation}: ${r.text}`);
    if (op.emulated) {
      assert.notEqual(r.status, 501, `${op.operation}: ${r.text}`);
    } else {
      assert.equal(r.status, 501, `${op.operation}: ${r.text}`);
      assert.equal(r.json.Code, 'NotImplemented');
      assert.equal(r.json.Message, `agentemu does not emulate the ICE action ${op.operation}.`);
      assert.match(r.json.RequestId, /^[0-9A-F-]{36}$/);
    }
  }
  const journal = (await call(`${base}/_emulator/requests?operation=SubmitASRJob`)).json.requests;
  assert.equal(journal.length, 1);
  assert.equal(journal[0].errorCode, 'NotImplemented');
  assert.equal((await v2(base, { action: 'SubmitASRJobs', params: {} })).json.Code, 'InvalidAction.NotFound');
});

test('STS credentials loaded with POST /_emulator/state: token required, checked, expiring on the emulator clock', async () => {
  const sts = { accessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez2dd', accessKeySecret: 'stssecret', securityToken: 'CAIS-token',
    expiration: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'), allow: ['ice:GetAIAgentConcurrency'], account: 'testid' };
  const loaded = await call(`${base}/_emulator/state`, { method: 'POST', body: JSON.stringify({ ice: { accessKeys: [sts] } }) });
  assert.equal(loaded.status, 200, loaded.text);
  const key = { id: sts.accessKeyId, secret: sts.accessKeySecret };
  const params = { AIAgentId: VOICE_AGENT };
  assert.equal((await v2(base, { action: 'GetAIAgentConcurrency', key, params, common: { SecurityToken: 'CAIS-token' } })).status, 200);
  assert.equal((await v3(base, { action: 'GetAIAgentConcurrency', key, params, extraHeaders: { 'x-acs-security-token': 'CAIS-token' } })).status, 200);
  assert.equal((await v2(base, { action: 'GetAIAgentConcurrency', key, params })).json.Code, 'MissingSecurityToken');
  assert.equal((await v3(base, { action: 'GetAIAgentConcurrency', key, params, extraHeaders: { 'x-acs-security-token': 'forged' } })).json.Code,
    'InvalidSecurityToken.Malformed');
  const denied = await v2(base, { action: 'DescribeAIAgentInstance', key, params: { InstanceId: 'x' }, common: { SecurityToken: 'CAIS-token' } });
  assert.equal(denied.status, 403);
  assert.equal(denied.json.AccessDeniedDetail.AuthPrincipalType, 'AssumedRoleUser');
  // A permanent key with a SecurityToken: the token is another credential's.
  assert.equal((await v2(base, { action: 'GetAIAgentConcurrency', params, common: { SecurityToken: 'CAIS-token' } })).json.Code,
    'InvalidSecurityToken.MismatchWithAccessKey');
  const shown = (await call(`${base}/_emulator/state?vendor=ice`)).json.ice.accessKeys.find((k) => k.accessKeyId === sts.accessKeyId);
  assert.equal(shown.expiration, sts.expiration);
  await call(`${base}/_emulator/clock`, { method: 'PUT', body: JSON.stringify({ offsetSeconds: 3601 }) });
  try {
    const expired = await v3(base, { action: 'GetAIAgentConcurrency', key, params, date: new Date(Date.now() + 3601_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      extraHeaders: { 'x-acs-security-token': 'CAIS-token' } });
    assert.equal(expired.json.Code, 'InvalidSecurityToken.Expired', expired.text);
    assert.equal(expired.json.Message, 'Specified SecurityToken is expired.');
  } finally {
    await call(`${base}/_emulator/clock`, { method: 'PUT', body: JSON.stringify({ offsetSeconds: 0 }) });
  }
});

test('x-acs-content-sha256 that does not match the body: SignatureDoesNotMatch, even when signed over the lie', async () => {
  const body = 'AIAgentId=' + VOICE_AGENT;
  const lie = crypto.createHash('sha256').update('something else').digest('hex');
  // The hand signer hashes `body`; sign over the lie instead by replacing the header and the
  // canonical request's last line, exactly as a client that lies would.
  const honest = v3Request(base, { action: 'GetAIAgentConcurrency', form: true, params: { AIAgentId: VOICE_AGENT } });
  const headers = { ...honest.init.headers, 'x-acs-content-sha256': lie };
  const lines = honest.canonicalRequest.split('\n');
  lines[lines.length - 1] = lie;
  const canonical = lines.join('\n').replace(/x-acs-content-sha256:[0-9a-f]+/, `x-acs-content-sha256:${lie}`);
  const sts = `ACS3-HMAC-SHA256\n${crypto.createHash('sha256').update(canonical).digest('hex')}`;
  const signature = crypto.createHmac('sha256', 'testsecret').update(sts).digest('hex');
  headers.authorization = headers.authorization.replace(/Signature=[0-9a-f]+/, `Signature=${signature}`);
  const r = await send({ url: honest.url, init: { ...honest.init, headers, body } });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.Code, 'SignatureDoesNotMatch');
  assert.match(r.headers.get('x-agentemu-diagnostic'), new RegExp(`x-acs-content-sha256 says ${lie}`));
  assert.equal((await send(honest)).status, 200);
});

test('SetNotifyConfig and SubmitAIAgentVideoAuditTask are kept in GET /_emulator/state, and fixtures restore them', async () => {
  assert.equal((await v3(base, { action: 'SetNotifyConfig', params: { AIAgentId: VOICE_AGENT, EnableNotify: 'true',
    CallbackUrl: 'http://127.0.0.1:9/ice', EventTypes: 'agent_start,agent_stop,error', Token: 'cb-token' } })).status, 200);
  const job = await v3(base, { action: 'SubmitAIAgentVideoAuditTask', params: { AIAgentId: VOICE_AGENT,
    Input: JSON.stringify({ Type: 'OSS', Media: 'https://bucket.oss-cn-shanghai.aliyuncs.com/v.mp4' }),
    CapturePolicies: JSON.stringify([{ StartTime: 0, Duration: 5, FrameCount: 2, Prompt: 'describe' }]),
    CallbackConfig: JSON.stringify({ Url: 'http://127.0.0.1:9/audit', Token: 'audit-token' }) } });
  assert.equal(job.status, 200, job.text);
  const redacted = (await call(`${base}/_emulator/state?vendor=ice`)).json.ice;
  assert.equal(redacted.notifyConfigs[0].Token, '<redacted>');
  assert.equal(redacted.videoAuditTasks[0].CallbackConfig.Token, '<redacted>');
  const state = (await call(`${base}/_emulator/state?vendor=ice&secrets=true`)).json.ice;
  assert.deepEqual(state.notifyConfigs.map((c) => [c.AIAgentId, c.EnableNotify, c.CallbackUrl, c.EventTypes, c.Token]),
    [[VOICE_AGENT, true, 'http://127.0.0.1:9/ice', 'agent_start,agent_stop,error', 'cb-token']]);
  assert.equal(state.videoAuditTasks[0].JobId, job.json.JobId);
  assert.deepEqual(state.videoAuditTasks[0].CallbackConfig, { Url: 'http://127.0.0.1:9/audit', Token: 'audit-token' });

  await call(`${base}/_emulator/reset`, { method: 'POST' });
  const restored = await call(`${base}/_emulator/state`, { method: 'POST', body: JSON.stringify({ ice: {
    notifyConfigs: state.notifyConfigs, videoAuditTasks: state.videoAuditTasks, voiceprints: [] } }) });
  assert.equal(restored.status, 200, restored.text);
  const described = await v3(base, { action: 'DescribeNotifyConfig', params: { AIAgentId: VOICE_AGENT } });
  assert.equal(described.json.Token, 'cb-token');
  assert.equal((await call(`${base}/_emulator/state?vendor=ice`)).json.ice.videoAuditTasks[0].JobId, job.json.JobId);
});
