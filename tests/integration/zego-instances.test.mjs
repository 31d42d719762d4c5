// ZEGO agent instances over loopback: creation from a registered agent, the simulated status
// timeline on the emulator clock, Rounds, message history, walkie-talkie Sequence rules, digital
// humans, limits and every instance error code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, stopCleanly, call } from '../support/emulator.mjs';
import { zegoClient, shiftClock, mergeZego, zegoState, rtc, llm, tts } from '../support/zego.mjs';

let emu;
let zego;
let offset = 0;
let streams = 0;

async function advance(seconds) {
  offset += seconds;
  await shiftClock(emu.url, offset, zego);
}

async function create(extra = {}, action = 'CreateAgentInstance') {
  const n = ++streams;
  const data = await zego.ok(action, { AgentId: 'jacky', UserId: 'user_1', RTC: rtc(n), ...extra });
  return data.AgentInstanceId;
}

const clockNow = async () => Date.parse((await call(`${emu.url}/_emulator/clock`)).json.now);
// Seconds until the instance is IDLE with nothing queued, on the emulator clock.
const busyFor = async (id) => {
  const instance = (await zegoState(emu.url)).instances.find((i) => i.AgentInstanceId === id);
  return (Date.parse(instance.IdleAt) - (await clockNow())) / 1000;
};

const status = async (id) => {
  const r = await zego.send('QueryAgentInstanceStatus', { AgentInstanceId: id });
  return r.json.Code === 0 ? r.json.Data.Status : r.json.Code;
};

before(async () => {
  emu = await startEmulator();
  zego = zegoClient(emu.url);
  await zego.ok('RegisterAgent', { AgentId: 'jacky', Name: 'Jacky', LLM: llm, TTS: tts, ASR: { Vendor: 'Tencent' } });
  await mergeZego(emu.url, { apps: [{ AppId: 1234567890, InstanceLimit: 100 }] });
});
after(async () => {
  await stopCleanly(emu);
});

test('an instance gets a numeric id and the registered agent\'s blocks where it sends none', async () => {
  const ownLlm = { Url: 'https://llm.example/v1/chat/completions', ApiKey: 'sk', Model: 'm' };
  const id = await create({ LLM: ownLlm, TTS: null, ASR: null, VAD: null, CallbackConfig: null });
  assert.match(id, /^\d{19}$/);
  const instance = (await zegoState(emu.url, { secrets: true })).instances.find((i) => i.AgentInstanceId === id);
  assert.deepEqual(instance.LLM, ownLlm);
  const redacted = (await zegoState(emu.url)).instances.find((i) => i.AgentInstanceId === id);
  assert.equal(redacted.LLM.ApiKey, '<redacted>');
  assert.deepEqual(instance.TTS, tts);
  assert.deepEqual(instance.ASR, { Vendor: 'Tencent' });
  assert.equal(instance.AgentId, 'jacky');
  assert.equal(instance.Status, 'IDLE');
  assert.notEqual(await create(), id);
  assert.equal(await zego.code('CreateAgentInstance', { AgentId: 'ghost', UserId: 'u', RTC: rtc(99) }), 410001009);
  assert.equal(await zego.code('CreateAgentInstance', { AgentId: 'jacky', UserId: 'u', RTC: rtc(99), LLM: { ...llm, Url: 'https://x.example' } }), 410001047);
});

test('Send* moves the agent through THINKING and SPEAKING back to IDLE, with increasing Rounds', async () => {
  const id = await create();
  assert.equal(await status(id), 'IDLE');
  const llmRound = (await zego.ok('SendAgentInstanceLLM', { AgentInstanceId: id, Text: 'Hello' })).Round;
  assert.equal(await status(id), 'THINKING');
  await advance(1.5);
  assert.equal(await status(id), 'SPEAKING');
  await advance(3);
  assert.equal(await status(id), 'IDLE');
  const ttsRound = (await zego.ok('SendAgentInstanceTTS', { AgentInstanceId: id, Text: 'Welcome' })).Round;
  assert.ok(Number.isInteger(llmRound) && ttsRound > llmRound, `${ttsRound} > ${llmRound}`);
  assert.equal(await status(id), 'SPEAKING');
  const interrupted = await zego.ok('InterruptAgentInstance', { AgentInstanceId: id });
  assert.equal(interrupted.Round, ttsRound);
  assert.equal(await status(id), 'IDLE');
});

test('Priority and SamePriorityOption decide between interrupting and queueing', async () => {
  const id = await create();
  await zego.ok('SendAgentInstanceTTS', { AgentInstanceId: id, Text: 'one' });          // 3 s of SPEAKING
  await zego.ok('SendAgentInstanceTTS', { AgentInstanceId: id, Text: 'two', SamePriorityOption: 'Enqueue' });
  await zego.ok('SendAgentInstanceTTS', { AgentInstanceId: id, Text: 'low', Priority: 'Low' });  // waits too
  const queued = await busyFor(id);  // three tasks of 3 s each, one after the other
  assert.ok(queued > 8 && queued <= 9, `${queued}`);
  await advance(4);
  assert.equal(await status(id), 'SPEAKING');  // still on the queued ones
  await advance(6);
  assert.equal(await status(id), 'IDLE');
  // High interrupts: the queue is dropped and the new task starts now.
  await zego.ok('SendAgentInstanceTTS', { AgentInstanceId: id, Text: 'a' });
  await zego.ok('SendAgentInstanceTTS', { AgentInstanceId: id, Text: 'b', SamePriorityOption: 'Enqueue' });
  assert.ok((await busyFor(id)) > 5);
  await zego.ok('SendAgentInstanceTTS', { AgentInstanceId: id, Text: 'urgent', Priority: 'High' });
  const urgent = await busyFor(id);
  assert.ok(urgent > 2 && urgent <= 3, `${urgent}`);
  // Same priority without Enqueue: ClearAndInterrupt.
  await zego.ok('SendAgentInstanceTTS', { AgentInstanceId: id, Text: 'b', SamePriorityOption: 'Enqueue', Priority: 'High' });
  await zego.ok('SendAgentInstanceTTS', { AgentInstanceId: id, Text: 'c', Priority: 'High' });
  assert.ok((await busyFor(id)) <= 3);
  await advance(3.5);
  assert.equal(await status(id), 'IDLE');
  // At most 5 tasks wait behind the one in progress.
  await zego.ok('SendAgentInstanceTTS', { AgentInstanceId: id, Text: 'now' });
  for (let i = 0; i < 5; i++) await zego.ok('SendAgentInstanceTTS', { AgentInstanceId: id, Text: `q${i}`, SamePriorityOption: 'Enqueue' });
  assert.equal(await zego.code('SendAgentInstanceTTS', { AgentInstanceId: id, Text: 'q5', SamePriorityOption: 'Enqueue' }), 410001007);
  assert.equal(await zego.code('SendAgentInstanceLLM', { AgentInstanceId: id, Text: 'q5', SamePriorityOption: 'Enqueue' }), 410001006);
  await zego.ok('InterruptAgentInstance', { AgentInstanceId: id });
});

test('the message history is kept, added to, windowed and reset', async () => {
  const id = await create({
    MessageHistory: { SyncMode: 1, WindowSize: 4, Messages: [{ Role: 'user', Content: 'earlier' }, { Role: 'assistant', Content: 'reply' }] },
  });
  let list = await zego.ok('GetAgentInstanceMsgList', { AgentInstanceId: id });
  assert.deepEqual(list, { Total: 2, MessageList: [{ Role: 'user', Content: 'earlier' }, { Role: 'assistant', Content: 'reply' }] });
  await zego.ok('SendAgentInstanceLLM', { AgentInstanceId: id, Text: 'What time is it?', AddQuestionToHistory: true });
  list = await zego.ok('GetAgentInstanceMsgList', { AgentInstanceId: id });
  assert.equal(list.Total, 4);
  assert.deepEqual(list.MessageList[2], { Role: 'user', Content: 'What time is it?' });
  assert.equal(list.MessageList[3].Role, 'assistant');
  await zego.ok('SendAgentInstanceTTS', { AgentInstanceId: id, Text: 'Said aloud', AddHistory: false });
  assert.equal((await zego.ok('GetAgentInstanceMsgList', { AgentInstanceId: id })).Total, 4);
  await zego.ok('AddAgentInstanceMsg', { AgentInstanceId: id, Messages: [{ Role: 'user', Content: 'x' }, { Role: 'assistant', Content: 'y' }] });
  list = await zego.ok('GetAgentInstanceMsgList', { AgentInstanceId: id });
  assert.equal(list.Total, 4);  // WindowSize 4: the oldest fall out of the context
  assert.deepEqual(list.MessageList.at(-1), { Role: 'assistant', Content: 'y' });
  assert.deepEqual(list.MessageList[0], { Role: 'user', Content: 'What time is it?' });
  await zego.ok('ResetAgentInstanceMsgList', { AgentInstanceId: id });
  assert.deepEqual(await zego.ok('GetAgentInstanceMsgList', { AgentInstanceId: id }), { Total: 0, MessageList: [] });
  await zego.ok('AddAgentInstanceMsg', { AgentInstanceId: id });
  await zego.ok('InterruptAgentInstance', { AgentInstanceId: id });
});

test('UpdateAgentInstance replaces blocks, switches the user stream, refuses to change TTS.Vendor', async () => {
  const id = await create();
  const newLlm = { Url: 'https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions', ApiKey: 'zego_test', Model: 'qwen-plus' };
  await zego.ok('UpdateAgentInstance', { AgentInstanceId: id, LLM: newLlm, RTC: { UserStreamId: 'user_stream_new' } });
  const instance = (await zegoState(emu.url, { secrets: true })).instances.find((i) => i.AgentInstanceId === id);
  assert.deepEqual(instance.LLM, newLlm);
  assert.equal(instance.RTC.UserStreamId, 'user_stream_new');
  assert.equal(instance.RTC.RoomId, `room_${streams}`);
  const r = await zego.send('UpdateAgentInstance', { AgentInstanceId: id, TTS: { ...tts, Vendor: 'MiniMax' } });
  assert.equal(r.json.Code, 410000003);
  assert.match(r.json.Message, /TTS\.Vendor cannot be updated/);
  await zego.ok('UpdateAgentInstance', { AgentInstanceId: id, TTS: { ...tts, Params: { app: { appid: 'other' } } } });
  assert.equal(await zego.code('UpdateAgentInstance', { AgentInstanceId: id, LLM: { ...newLlm, Url: 'https://nope.example' } }), 410001047);
});

test('walkie-talkie: StartListening/StopListening need CommunicationMode 2 and a fresh Sequence', async () => {
  const duplex = await create();
  assert.equal(await zego.code('StartListening', { AgentInstanceId: duplex, Sequence: 1 }), 410001042);
  assert.equal(await zego.code('StopListening', { AgentInstanceId: duplex }), 410001042);

  const id = await create({ AdvancedConfig: { CommunicationMode: 2 } });
  const start = await zego.ok('StartListening', { AgentInstanceId: id, Sequence: 1 });
  assert.equal(await status(id), 'LISTENING');
  assert.equal(await zego.code('SendAgentInstanceLLM', { AgentInstanceId: id, Text: 'hi' }), 410001013);
  assert.equal(await zego.code('SendAgentInstanceTTS', { AgentInstanceId: id, Text: 'hi' }), 410001013);
  assert.equal(await zego.code('StartListening', { AgentInstanceId: id, Sequence: 1 }), 410001043);  // not newer
  const stop = await zego.ok('StopListening', { AgentInstanceId: id, Sequence: 2 });
  assert.equal(stop.Round, start.Round);  // the reply answers the user's turn
  assert.equal(await status(id), 'THINKING');
  assert.equal(await zego.code('StopListening', { AgentInstanceId: id, Sequence: 2 }), 410001043);
  assert.equal(await zego.code('StartListening', { AgentInstanceId: id, Sequence: 1 }), 410001043);  // one counter for both
  // Each user counts on their own; a request without Sequence is always taken.
  await zego.ok('StartListening', { AgentInstanceId: id, UserId: 'user_2', Sequence: 1 });
  await zego.ok('StopListening', { AgentInstanceId: id });
  const next = await zego.ok('StartListening', { AgentInstanceId: id, Sequence: 3 });
  assert.ok(next.Round > stop.Round);
  await zego.ok('StopListening', { AgentInstanceId: id, Sequence: 4 });
});

test('the per-app instance limit answers 410000011 (default 10)', async () => {
  const small = zegoClient(emu.url, { appId: 4242, secret: '42424242424242424242424242424242' });
  await mergeZego(emu.url, { apps: [{ AppId: 4242, ServerSecret: small.secret }], agents: [{ AppId: 4242, AgentId: 'jacky', LLM: llm }] });
  small.clockOffset = offset;
  const ids = [];
  for (let i = 0; i < 10; i++) ids.push((await small.ok('CreateAgentInstance', { AgentId: 'jacky', UserId: 'u', RTC: rtc(1000 + i) })).AgentInstanceId);
  assert.equal(await small.code('CreateAgentInstance', { AgentId: 'jacky', UserId: 'u', RTC: rtc(1100) }), 410000011);
  await small.ok('DeleteAgentInstance', { AgentInstanceId: ids[0] });
  await small.ok('CreateAgentInstance', { AgentId: 'jacky', UserId: 'u', RTC: rtc(1101) });
  // Another app's instance is "not found" here.
  assert.equal(await zego.code('QueryAgentInstanceStatus', { AgentInstanceId: ids[1] }), 410001002);
  await mergeZego(emu.url, { apps: [{ AppId: 4242, InstanceLimit: 11 }] });
  await small.ok('CreateAgentInstance', { AgentId: 'jacky', UserId: 'u', RTC: rtc(1102) });
});

test('digital humans: DigitalHumanConfig, DisableTTS, duplicate streams and their own limit', async () => {
  const dh = { DigitalHumanId: 'xiaozhi', ConfigId: 'mobile', EncodeCode: 'H264' };
  const data = await zego.ok('CreateDigitalHumanAgentInstance', { AgentId: 'jacky', UserId: 'user_1', RTC: rtc(500), DigitalHuman: dh });
  assert.match(data.AgentInstanceId, /^\d{19}$/);
  const config = JSON.parse(Buffer.from(data.DigitalHumanConfig, 'base64').toString('utf8'));
  assert.deepEqual(config, { DigitalHumanId: 'xiaozhi', Streams: [{ RoomId: 'room_500', StreamId: 'agent_stream_500', EncodeCode: 'H264', ConfigId: 'mobile' }] });
  assert.equal(await zego.code('CreateDigitalHumanAgentInstance', { AgentId: 'jacky', UserId: 'user_1', RTC: rtc(500), DigitalHuman: dh }), 410001030);
  const r = await zego.send('CreateDigitalHumanAgentInstance', { AgentId: 'jacky', UserId: 'u', RTC: rtc(501), DigitalHuman: dh, AdvancedConfig: { DisableTTS: true } });
  assert.equal(r.json.Code, 410000003);
  assert.match(r.json.Message, /DisableTTS/);
  await mergeZego(emu.url, { apps: [{ AppId: 1234567890, DigitalHumanInstanceLimit: 1 }] });
  assert.equal(await zego.code('CreateDigitalHumanAgentInstance', { AgentId: 'jacky', UserId: 'u', RTC: rtc(502), DigitalHuman: dh }), 410001031);
  await zego.ok('DeleteAgentInstance', { AgentInstanceId: data.AgentInstanceId });
  await mergeZego(emu.url, { apps: [{ AppId: 1234567890, DigitalHumanInstanceLimit: 10 }] });
});

test('live digital humans are driven by SendAgentInstanceTTS only and end after MaxIdleTime', async () => {
  const body = { AgentId: 'jacky', CDN: { Url: 'rtmp://push.example.com/live/key' }, DigitalHuman: { DigitalHumanId: 'anchor' }, AdvancedConfig: { MaxIdleTime: 30 } };
  const { AgentInstanceId: id, DigitalHumanConfig } = await zego.ok('CreateLiveDigitalHumanAgentInstance', body);
  assert.equal(typeof DigitalHumanConfig, 'string');
  await zego.ok('SendAgentInstanceTTS', { AgentInstanceId: id, Text: 'Welcome to the stream' });
  assert.equal(await status(id), 'SPEAKING');
  for (const action of ['SendAgentInstanceLLM', 'InterruptAgentInstance', 'GetAgentInstanceMsgList', 'ResetAgentInstanceMsgList', 'AddAgentInstanceMsg', 'StartListening', 'StopListening', 'UpdateAgentInstance']) {
    assert.equal(await zego.code(action, { AgentInstanceId: id, Text: 't' }), 410001049, action);
  }
  await advance(20);
  await zego.ok('SendAgentInstanceTTS', { AgentInstanceId: id, Text: 'still here' });  // driven: the idle clock restarts
  await advance(20);
  assert.equal(await status(id), 'IDLE');
  await advance(11);
  assert.equal(await status(id), 410001002);
  const state = await zegoState(emu.url);
  assert.ok(state.deletedInstances.some((d) => d.AgentInstanceId === id && d.Reason === 'max_idle_time'));
});

test('an instance created with DisableTTS refuses SendAgentInstanceTTS (410001007) but thinks', async () => {
  const id = await create({ AdvancedConfig: { DisableTTS: true } });
  const r = await zego.send('SendAgentInstanceTTS', { AgentInstanceId: id, Text: 'hello' });
  assert.equal(r.json.Code, 410001007);
  assert.match(r.json.Message, /DisableTTS/);
  await zego.ok('SendAgentInstanceLLM', { AgentInstanceId: id, Text: 'hello' });
  assert.equal(await status(id), 'THINKING');
});

test('every instance action answers 410001002 for an unknown instance', async () => {
  const actions = ['UpdateAgentInstance', 'DeleteAgentInstance', 'SendAgentInstanceLLM', 'SendAgentInstanceTTS',
    'QueryAgentInstanceStatus', 'InterruptAgentInstance', 'GetAgentInstanceMsgList', 'ResetAgentInstanceMsgList',
    'AddAgentInstanceMsg', 'StartListening', 'StopListening'];
  for (const action of actions) {
    assert.equal(await zego.code(action, { AgentInstanceId: '1912122918452641792', Text: 't' }), 410001002, action);
    assert.equal(await zego.code(action, { AgentInstanceId: 'not-a-number', Text: 't' }), 410001002, action);
  }
});
