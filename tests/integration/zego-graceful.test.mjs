// DeleteAgentInstance over loopback: immediate by default; GracefulShutdown waits on the
// emulator clock (never a thread) until the agent is IDLE or GracefulShutdownTimeout passes,
// answering 410001041 to anything else meanwhile. Time is driven with PUT /_emulator/clock.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, stopCleanly, eventually, call } from '../support/emulator.mjs';
import { zegoClient, shiftClock, mergeZego, zegoState, rtc, llm, tts } from '../support/zego.mjs';

let emu;
let zego;
let offset = 0;
let streams = 0;

async function advance(seconds) {
  offset += seconds;
  await shiftClock(emu.url, offset, zego);
}

async function create() {
  return (await zego.ok('CreateAgentInstance', { AgentId: 'jacky', UserId: 'user_1', RTC: rtc(++streams) })).AgentInstanceId;
}

const codeOf = (action, id, extra = {}) => zego.code(action, { AgentInstanceId: id, Text: 'hi', ...extra });
const deletion = async (id) => (await zegoState(emu.url)).deletedInstances.find((d) => d.AgentInstanceId === id);
const holdBusy = (id, Status = 'SPEAKING', BusySeconds) =>
  mergeZego(emu.url, { instances: [{ AgentInstanceId: id, Status, ...(BusySeconds ? { BusySeconds } : {}) }] });

before(async () => {
  emu = await startEmulator();
  zego = zegoClient(emu.url);
  await zego.ok('RegisterAgent', { AgentId: 'jacky', LLM: llm, TTS: tts });
  await mergeZego(emu.url, { apps: [{ AppId: 1234567890, InstanceLimit: 100 }] });
});
after(async () => {
  await stopCleanly(emu);
});

test('DeleteAgentInstance deletes at once by default, even a busy agent; again -> 410001002', async () => {
  const id = await create();
  await zego.ok('SendAgentInstanceTTS', { AgentInstanceId: id, Text: 'talking' });
  assert.deepEqual(await zego.ok('DeleteAgentInstance', { AgentInstanceId: id }), {});
  assert.equal(await codeOf('QueryAgentInstanceStatus', id), 410001002);
  assert.equal(await codeOf('DeleteAgentInstance', id), 410001002);
  assert.equal((await deletion(id)).Reason, 'deleted');
});

test('a graceful delete of an idle agent deletes at once', async () => {
  const id = await create();
  await zego.ok('DeleteAgentInstance', { AgentInstanceId: id, GracefulShutdown: true });
  assert.equal(await codeOf('QueryAgentInstanceStatus', id), 410001002);
  assert.equal((await deletion(id)).Reason, 'graceful_idle');
});

test('graceful delete, idle in time: answers at once, 410001041 meanwhile, gone when the agent is IDLE', async () => {
  const id = await create();
  await zego.ok('SendAgentInstanceLLM', { AgentInstanceId: id, Text: 'Tell me a story' });  // 1 s THINKING + 3 s SPEAKING
  assert.deepEqual(await zego.ok('DeleteAgentInstance', { AgentInstanceId: id, GracefulShutdown: true, GracefulShutdownTimeout: 30 }), {});
  for (const action of ['QueryAgentInstanceStatus', 'SendAgentInstanceLLM', 'SendAgentInstanceTTS', 'InterruptAgentInstance',
    'UpdateAgentInstance', 'GetAgentInstanceMsgList', 'ResetAgentInstanceMsgList', 'AddAgentInstanceMsg', 'StartListening',
    'StopListening', 'DeleteAgentInstance']) {
    assert.equal(await codeOf(action, id), 410001041, action);
  }
  assert.equal(await codeOf('DeleteAgentInstance', id, { GracefulShutdown: true }), 410001041);
  const waiting = (await zegoState(emu.url)).instances.find((i) => i.AgentInstanceId === id);
  assert.equal(waiting.Status, 'THINKING');
  assert.ok(waiting.ShuttingDown.Deadline);
  await advance(2);
  assert.equal(await codeOf('QueryAgentInstanceStatus', id), 410001041);  // SPEAKING now
  await advance(2.5);
  // The scheduler deletes it as the agent turns IDLE, long before the 30 s timeout.
  const gone = await eventually(() => deletion(id));
  assert.equal(gone.Reason, 'graceful_idle');
  assert.ok(Date.parse(gone.At) < Date.parse(waiting.ShuttingDown.Deadline));
  assert.equal(await codeOf('QueryAgentInstanceStatus', id), 410001002);
  assert.equal(await codeOf('DeleteAgentInstance', id), 410001002);
});

test('graceful delete, timeout: a busy agent is deleted anyway after GracefulShutdownTimeout', async () => {
  const id = await create();
  await holdBusy(id);  // SPEAKING until something changes it
  await zego.ok('DeleteAgentInstance', { AgentInstanceId: id, GracefulShutdown: true, GracefulShutdownTimeout: 5 });
  await advance(4);
  assert.equal(await codeOf('QueryAgentInstanceStatus', id), 410001041);
  assert.equal(await deletion(id), undefined);
  await advance(1.5);
  const gone = await eventually(() => deletion(id));
  assert.equal(gone.Reason, 'graceful_timeout');
  assert.equal(await codeOf('QueryAgentInstanceStatus', id), 410001002);
});

test('GracefulShutdownTimeout defaults to 30 seconds', async () => {
  const id = await create();
  await holdBusy(id, 'THINKING');
  await zego.ok('DeleteAgentInstance', { AgentInstanceId: id, GracefulShutdown: true });
  await advance(29);
  assert.equal(await codeOf('QueryAgentInstanceStatus', id), 410001041);
  await advance(2);
  assert.equal((await eventually(() => deletion(id))).Reason, 'graceful_timeout');
});

test('a fixture that makes the agent IDLE during the wait ends it at once; one that holds it longer delays it', async () => {
  const a = await create();
  await holdBusy(a, 'SPEAKING', 2);
  await zego.ok('DeleteAgentInstance', { AgentInstanceId: a, GracefulShutdown: true, GracefulShutdownTimeout: 60 });
  await holdBusy(a, 'SPEAKING', 50);  // the agent keeps talking: no deletion at 2 s
  await advance(3);
  assert.equal(await codeOf('QueryAgentInstanceStatus', a), 410001041);
  await mergeZego(emu.url, { instances: [{ AgentInstanceId: a, Status: 'IDLE' }] });
  assert.equal((await eventually(() => deletion(a))).Reason, 'graceful_idle');
  assert.equal(await codeOf('QueryAgentInstanceStatus', a), 410001002);
});

test('with GracefulDeleteWaits the HTTP answer itself waits for the deletion (idle in time, then timeout)', async () => {
  await mergeZego(emu.url, { apps: [{ AppId: 1234567890, GracefulDeleteWaits: true }] });
  try {
    const idle = await create();
    await holdBusy(idle, 'SPEAKING', 3);
    let answered = false;
    const pending = zego.send('DeleteAgentInstance', { AgentInstanceId: idle, GracefulShutdown: true, GracefulShutdownTimeout: 20 })
      .then((r) => { answered = true; return r; });
    await eventually(async () => (await zegoState(emu.url)).instances.find((i) => i.AgentInstanceId === idle)?.ShuttingDown?.WaitingCalls === 1);
    assert.equal(answered, false);
    assert.equal(await codeOf('QueryAgentInstanceStatus', idle), 410001041);
    await advance(3.5);
    const r = await pending;
    assert.equal(r.json.Code, 0);
    assert.equal((await deletion(idle)).Reason, 'graceful_idle');

    const busy = await create();
    await holdBusy(busy);
    answered = false;
    const later = zego.send('DeleteAgentInstance', { AgentInstanceId: busy, GracefulShutdown: true, GracefulShutdownTimeout: 10 })
      .then((x) => { answered = true; return x; });
    await advance(9);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(answered, false);
    await advance(1.5);
    assert.equal((await later).json.Code, 0);
    assert.equal((await deletion(busy)).Reason, 'graceful_timeout');
    // The emulator stayed responsive while both answers waited.
  } finally {
    await mergeZego(emu.url, { apps: [{ AppId: 1234567890, GracefulDeleteWaits: false }] });
  }
});

test('a reset answers a delete that is still waiting', async () => {
  await mergeZego(emu.url, { apps: [{ AppId: 1234567890, GracefulDeleteWaits: true }] });
  const id = await create();
  await holdBusy(id);
  const pending = zego.send('DeleteAgentInstance', { AgentInstanceId: id, GracefulShutdown: true, GracefulShutdownTimeout: 120 });
  await eventually(async () => (await zegoState(emu.url)).instances.find((i) => i.AgentInstanceId === id)?.ShuttingDown);
  assert.equal((await call(`${emu.url}/_emulator/reset`, { method: 'POST' })).status, 200);
  assert.equal((await pending).json.Code, 0);
  offset = 0;
  zego.clockOffset = 0;
  // Back to the fixtures: the default app without GracefulDeleteWaits, no agents.
  assert.equal((await zegoState(emu.url)).apps[0].GracefulDeleteWaits, false);
  assert.equal(await zego.code('CreateAgentInstance', { AgentId: 'jacky', UserId: 'u', RTC: rtc(999) }), 410001009);
});
