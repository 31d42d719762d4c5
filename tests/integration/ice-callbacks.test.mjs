// ICE's agent callbacks, end to end: SetNotifyConfig points an agent at a receiver on loopback,
// which checks the Authorization token as the guide's sample server does ("Bearer <Token>") and
// the documented fields of each event the actions produce; EventTypes and EnableNotify filter;
// the video audit task's result goes to its CallbackConfig; failed deliveries are retried on
// the emulator's clock and given up after the third attempt.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, stopCleanly, call, eventually } from '../support/emulator.mjs';
import { v3, setClock, VOICE_AGENT } from '../support/ice.mjs';
import { startReceiver, callbackJournal } from '../support/callbacks.mjs';

const TOKEN = 'fixed-token';
const runtime = JSON.stringify({ AgentUserId: 'agent1', ChannelId: 'channel1', AuthToken: 'token' });

let emu;
let base;
let receiver;
let offset = 0;

async function ice(action, params) {
  const r = await v3(base, { action, params });
  assert.equal(r.status, 200, `${action}: ${r.text}`);
  return r.json;
}

async function notifyTo(params = {}) {
  await ice('SetNotifyConfig', { AIAgentId: VOICE_AGENT, EnableNotify: 'true', CallbackUrl: `${receiver.url}/ice`, Token: TOKEN, ...params });
}

const start = async (params = {}) =>
  (await ice('StartAIAgentInstance', { AIAgentId: VOICE_AGENT, RuntimeConfig: runtime, UserData: '{"order":7}', ...params })).InstanceId;

const eventsOf = (id) => receiver.requests.filter((r) => r.json?.instanceId === id);
const wait = (id, event, count = 1) => receiver.wait((b) => b.instanceId === id && b.event === event, count);

before(async () => {
  emu = await startEmulator();
  base = emu.url;
  receiver = await startReceiver();
});
after(async () => {
  await stopCleanly(emu);
  await receiver.close();
});
beforeEach(async () => {
  await call(`${base}/_emulator/reset`, { method: 'POST' });  // the clock's offset back to 0 too
  offset = 0;
  receiver.requests.length = 0;
  receiver.answer = () => 200;
});

test('an instance\'s start, chat and stop are posted with the documented fields and the token', async () => {
  await notifyTo();
  const id = await start({ AgentConfig: JSON.stringify({ Greeting: 'Hello there' }) });
  const [started] = await wait(id, 'agent_start');
  const { json: body, headers } = eventsOf(id).find((r) => r.json.event === 'agent_start');
  assert.equal(headers.authorization, `Bearer ${TOKEN}`);
  assert.equal(headers['content-type'], 'application/json');
  assert.equal(body.aiAgentId, VOICE_AGENT);
  assert.equal(body.instanceId, id);
  assert.equal(typeof body.code, 'number');
  assert.equal(typeof body.message, 'string');
  assert.match(body.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(body.userData, '{"order":7}');
  assert.deepEqual(started, body);
  await wait(id, 'session_start');

  // The greeting is the agent's first words: a chat record, and TTS's first packet.
  const [greeting] = await wait(id, 'chat_record');
  assert.equal(greeting.data.dialogues[0].text, 'Hello there');
  assert.equal(greeting.data.dialogues[0].producer, 'agent');
  const [tts] = await wait(id, 'tts_data_received');
  assert.equal(tts.extendData.channelId, 'channel1');
  assert.equal(typeof tts.extendData.sentenceId, 'number');

  await ice('SendAIAgentText', { InstanceId: id, Text: 'what is the weather' });
  const [intent] = await wait(id, 'intent_recognized');
  assert.equal(intent.extendData.channelId, 'channel1');
  const records = await wait(id, 'chat_record', 2);
  assert.ok(records.some((b) => b.data.dialogues[0].producer === 'user' && b.data.dialogues[0].text === 'what is the weather'));

  await ice('StopAIAgentInstance', { InstanceId: id });
  await wait(id, 'agent_stop');
});

test('EventTypes chooses the events; EnableNotify false sends none', async () => {
  await notifyTo({ EventTypes: 'agent_start,agent_stop' });
  const id = await start();
  await ice('SendAIAgentText', { InstanceId: id, Text: 'hi' });
  await ice('StopAIAgentInstance', { InstanceId: id });
  await wait(id, 'agent_stop');
  // Journaled once answered: both deliveries, and nothing else.
  const journal = await eventually(async () => {
    const entries = await callbackJournal(base, { vendor: 'ice' });
    return entries.length >= 2 && entries;
  });
  assert.deepEqual(journal.map((e) => e.event).sort(), ['agent_start', 'agent_stop']);

  await ice('SetNotifyConfig', { AIAgentId: VOICE_AGENT, EnableNotify: 'false' });
  const quiet = await start();
  await ice('StopAIAgentInstance', { InstanceId: quiet });
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(eventsOf(quiet).length, 0);
});

test('a video audit task posts its result to CallbackConfig.Url once its capture windows have passed', async () => {
  const { JobId: job } = await ice('SubmitAIAgentVideoAuditTask', {
    AIAgentId: VOICE_AGENT,
    Input: JSON.stringify({ Type: 'OSS', Media: 'https://bucket.oss-cn-shanghai.aliyuncs.com/v.mp4' }),
    CapturePolicies: JSON.stringify([{ StartTime: 0, Duration: 5, FrameCount: 2, Prompt: 'describe' }]),
    CallbackConfig: JSON.stringify({ Url: `${receiver.url}/audit`, Token: 'Bearer audit-token' }),
    UserData: 'u1',
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(receiver.requests.length, 0, 'Processing until the clock passes 5 s');
  offset += 6;
  await setClock(base, offset);
  const [result] = await receiver.wait((b) => b.JobId === job);
  const request = receiver.requests.find((r) => r.json?.JobId === job);
  assert.equal(request.path, '/audit');
  assert.equal(request.headers.authorization, 'Bearer audit-token');
  assert.equal(result.AIAgentId, VOICE_AGENT);
  assert.equal(result.Status, 'Finished');
  assert.equal(result.UserData, 'u1');
  assert.equal(result.Results.length, 1);
  assert.equal(result.Results[0].Prompt, 'describe');
});

test('a failed callback is retried a second and then two after, then given up', async () => {
  receiver.answer = () => 502;
  await notifyTo({ EventTypes: 'agent_start' });
  const id = await start();
  const attempts = async (n) => eventually(async () => {
    const entries = (await callbackJournal(base, { vendor: 'ice', event: 'agent_start' }))
      .filter((e) => JSON.parse(e.body).instanceId === id);
    return entries.length === n && entries;
  });
  let entries = await attempts(1);
  assert.equal(entries[0].status, 502);
  assert.equal(Date.parse(entries[0].nextAttemptAt) - Date.parse(entries[0].time), 1000);
  offset += 1;
  await setClock(base, offset);
  await attempts(2);
  offset += 2;
  await setClock(base, offset);
  entries = await attempts(3);
  assert.deepEqual(entries.map((e) => e.outcome), ['retrying', 'retrying', 'given_up']);
  assert.ok(entries.every((e) => e.headers.Authorization === `Bearer ${TOKEN}`));
});
