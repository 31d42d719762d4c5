// scenarios/zego-graceful-shutdown.json does what its comments say, and scenario rules render
// ZEGO errors in ZEGO's envelope (HTTP 200, Code, Message, RequestId).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startEmulator, stopCleanly, call, sourceDir } from '../support/emulator.mjs';
import { zegoClient, rtc, llm } from '../support/zego.mjs';

const scenarioFile = path.join(sourceDir, 'scenarios/zego-graceful-shutdown.json');
let emu;
let zego;

before(async () => {
  emu = await startEmulator({ args: ['--scenarios', scenarioFile] });
  zego = zegoClient(emu.url);
  await zego.ok('RegisterAgent', { AgentId: 'jacky', LLM: llm });
});
after(async () => {
  await stopCleanly(emu);
});

test('zego-graceful-shutdown: control calls get 410001041, a status poll 410001041 twice then 410001002', async () => {
  const { AgentInstanceId: id } = await zego.ok('CreateAgentInstance', { AgentId: 'jacky', UserId: 'u', RTC: rtc() });

  const tts = await zego.send('SendAgentInstanceTTS', { AgentInstanceId: id, Text: 'hello' });
  assert.equal(tts.status, 200);
  assert.equal(tts.json.Code, 410001041);
  assert.equal(tts.json.Message, 'Agent instance is being gracefully shut down');
  assert.match(tts.json.RequestId, /^\d{19}$/);
  assert.equal(await zego.code('SendAgentInstanceLLM', { AgentInstanceId: id, Text: 'hi' }), 410001041);
  assert.equal(await zego.code('InterruptAgentInstance', { AgentInstanceId: id }), 410001041);

  const polls = [];
  for (let i = 0; i < 4; i++) polls.push(await zego.code('QueryAgentInstanceStatus', { AgentInstanceId: id }));
  assert.deepEqual(polls, [410001041, 410001041, 410001002, 410001002]);

  // The rules did not run the actions: the instance is still there, idle, and deletable.
  const state = (await call(`${emu.url}/_emulator/state?vendor=zego`)).json.zego;
  assert.equal(state.instances.find((i) => i.AgentInstanceId === id).Status, 'IDLE');
  await zego.ok('DeleteAgentInstance', { AgentInstanceId: id });

  const journal = (await call(`${emu.url}/_emulator/requests?vendor=zego&operation=SendAgentInstanceTTS`)).json.requests;
  assert.deepEqual(journal.at(-1).scenario, { name: 'zego-graceful-shutdown', rule: 'no-more-speech' });
  assert.equal(journal.at(-1).errorCode, '410001041');
  const listed = (await call(`${emu.url}/_emulator/scenarios`)).json;
  assert.match(JSON.stringify(listed), /status-until-gone/);
});

test('a rule can name any ZEGO code, and a rule aimed at one instance leaves the others alone', async () => {
  const { AgentInstanceId: a } = await zego.ok('CreateAgentInstance', { AgentId: 'jacky', UserId: 'u', RTC: rtc(2) });
  const { AgentInstanceId: b } = await zego.ok('CreateAgentInstance', { AgentId: 'jacky', UserId: 'u', RTC: rtc(3) });
  const rule = {
    name: 'one-instance',
    rules: [{ match: { vendor: 'zego', operation: 'GetAgentInstanceMsgList', params: { AgentInstanceId: a } },
      respond: { error: 410001022, message: 'context store unavailable' } }],
  };
  assert.equal((await call(`${emu.url}/_emulator/scenarios/one-instance`, { method: 'PUT', json: rule })).status, 200);
  const hit = await zego.send('GetAgentInstanceMsgList', { AgentInstanceId: a });
  assert.deepEqual([hit.status, hit.json.Code, hit.json.Message], [200, 410001022, 'context store unavailable']);
  assert.equal(await zego.code('GetAgentInstanceMsgList', { AgentInstanceId: b }), 0);

  const unknown = { name: 'bad', rules: [{ match: { vendor: 'zego' }, respond: { error: 123 } }] };
  const refused = await call(`${emu.url}/_emulator/scenarios/bad`, { method: 'PUT', json: unknown });
  assert.equal(refused.status, 400);
  assert.match(refused.text, /zego has no error/);
  await call(`${emu.url}/_emulator/scenarios/one-instance`, { method: 'DELETE' });
});
