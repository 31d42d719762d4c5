// ZEGO agent configuration over loopback: RegisterAgent, UpdateAgent (blocks replaced whole),
// ListAgents paging with Limit/Cursor, QueryAgents, UnregisterAgent, and their error codes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, stopCleanly, call } from '../support/emulator.mjs';
import { zegoClient, llm, tts } from '../support/zego.mjs';

let emu;
let zego;

before(async () => {
  emu = await startEmulator();
  zego = zegoClient(emu.url);
});
after(async () => {
  await stopCleanly(emu);
});

test('an agent lives: register, query, update, list, unregister', async () => {
  assert.deepEqual(await zego.ok('RegisterAgent', { AgentId: 'xiaozhi', Name: 'Jacky', LLM: llm, TTS: tts, ASR: { Vendor: 'Tencent' } }), {});
  assert.equal(await zego.code('RegisterAgent', { AgentId: 'xiaozhi' }), 410001008);

  let [agent] = (await zego.ok('QueryAgents', { AgentIds: ['xiaozhi'] })).Agents;
  assert.deepEqual(agent, { AgentId: 'xiaozhi', Name: 'Jacky', LLM: llm, TTS: tts, ASR: { Vendor: 'Tencent' } });

  // "updated in a cover-up manner": LLM is replaced whole (SystemPrompt is gone), TTS and ASR stay.
  const newLlm = { Url: 'https://llm.example/v1/chat/completions', ApiKey: 'sk-1', Model: 'gpt-x' };
  await zego.ok('UpdateAgent', { AgentId: 'xiaozhi', Name: 'Jacky 2', LLM: newLlm, TTS: null });
  [agent] = (await zego.ok('QueryAgents', { AgentIds: ['xiaozhi'] })).Agents;
  assert.deepEqual(agent, { AgentId: 'xiaozhi', Name: 'Jacky 2', LLM: newLlm, TTS: tts, ASR: { Vendor: 'Tencent' } });

  await zego.ok('UnregisterAgent', { AgentId: 'xiaozhi' });
  assert.deepEqual((await zego.ok('QueryAgents', { AgentIds: ['xiaozhi'] })).Agents, []);
  assert.equal(await zego.code('UnregisterAgent', { AgentId: 'xiaozhi' }), 410001009);
  assert.equal(await zego.code('UpdateAgent', { AgentId: 'xiaozhi', Name: 'x' }), 410001009);
  // Registering again after unregistering is fine.
  await zego.ok('RegisterAgent', { AgentId: 'xiaozhi' });
  await zego.ok('UnregisterAgent', { AgentId: 'xiaozhi' });
});

test('an agent registered without blocks lists them as {}', async () => {
  await zego.ok('RegisterAgent', { AgentId: 'bare' });
  const [agent] = (await zego.ok('QueryAgents', { AgentIds: ['bare'] })).Agents;
  assert.deepEqual(agent, { AgentId: 'bare', Name: '', LLM: {}, TTS: {}, ASR: {} });
  await zego.ok('UnregisterAgent', { AgentId: 'bare' });
});

test('ListAgents pages with Limit (default 5) and an opaque Cursor ("" at the end)', async () => {
  const ids = Array.from({ length: 12 }, (_, i) => `page-${String(i).padStart(2, '0')}`);
  for (const id of ids) await zego.ok('RegisterAgent', { AgentId: id, Name: id });

  const first = await zego.ok('ListAgents', {});
  assert.equal(first.Total, 12);
  assert.equal(first.Agents.length, 5);
  assert.notEqual(first.Cursor, '');
  assert.equal((await zego.ok('ListAgents', { Limit: 0 })).Agents.length, 5);

  const seen = [];
  let cursor = '';
  let pages = 0;
  do {
    const page = await zego.ok('ListAgents', { Limit: 4, Cursor: cursor });
    assert.equal(page.Total, 12);
    seen.push(...page.Agents.map((a) => a.AgentId));
    cursor = page.Cursor;
    pages++;
  } while (cursor !== '' && pages < 10);
  assert.equal(pages, 3);
  assert.deepEqual(seen, ids);

  // A cursor survives the deletion of the agent it points after.
  const page1 = await zego.ok('ListAgents', { Limit: 2 });
  await zego.ok('UnregisterAgent', { AgentId: 'page-01' });
  const page2 = await zego.ok('ListAgents', { Limit: 2, Cursor: page1.Cursor });
  assert.deepEqual(page2.Agents.map((a) => a.AgentId), ['page-02', 'page-03']);

  assert.equal(await zego.code('ListAgents', { Cursor: '!!not base64!!' }), 410000003);
  for (const id of ids) if (id !== 'page-01') await zego.ok('UnregisterAgent', { AgentId: id });
  assert.deepEqual(await zego.ok('ListAgents', {}), { Total: 0, Agents: [], Cursor: '' });
});

test('QueryAgents leaves unknown ids out and keeps the order asked', async () => {
  await zego.ok('RegisterAgent', { AgentId: 'b' });
  await zego.ok('RegisterAgent', { AgentId: 'a' });
  const { Agents } = await zego.ok('QueryAgents', { AgentIds: ['b', 'ghost', 'a', 'b'] });
  assert.deepEqual(Agents.map((x) => x.AgentId), ['b', 'a']);
  assert.deepEqual((await zego.ok('QueryAgents', { AgentIds: [] })).Agents, []);
  await zego.ok('UnregisterAgent', { AgentId: 'a' });
  await zego.ok('UnregisterAgent', { AgentId: 'b' });
});

test('agents belong to their app', async () => {
  await call(`${emu.url}/_emulator/state`, { method: 'POST', json: { zego: { apps: [{ AppId: 555, ServerSecret: 'abcdefabcdefabcdefabcdefabcdefab' }] } } });
  const other = zegoClient(emu.url, { appId: 555, secret: 'abcdefabcdefabcdefabcdefabcdefab' });
  await zego.ok('RegisterAgent', { AgentId: 'mine' });
  assert.deepEqual((await other.ok('QueryAgents', { AgentIds: ['mine'] })).Agents, []);
  await other.ok('RegisterAgent', { AgentId: 'mine' });  // same id, other app: no conflict
  assert.equal((await other.ok('ListAgents', {})).Total, 1);
  await zego.ok('UnregisterAgent', { AgentId: 'mine' });
  await other.ok('UnregisterAgent', { AgentId: 'mine' });
});

test('zego_test may only be used with the documented LLM Urls (410001047)', async () => {
  assert.equal(await zego.code('RegisterAgent', { AgentId: 't', LLM: { ...llm, Url: 'https://llm.example/v1' } }), 410001047);
  await zego.ok('RegisterAgent', { AgentId: 't', LLM: llm });
  assert.equal(await zego.code('UpdateAgent', { AgentId: 't', LLM: { ...llm, Url: 'https://llm.example/v1' } }), 410001047);
  await zego.ok('UnregisterAgent', { AgentId: 't' });
});

test('fixture agents are there from the start and visible in the state', async () => {
  await call(`${emu.url}/_emulator/state`, { method: 'POST', json: { zego: { agents: [{ AgentId: 'fixture-agent', Name: 'From fixture', LLM: llm }] } } });
  const [agent] = (await zego.ok('QueryAgents', { AgentIds: ['fixture-agent'] })).Agents;
  assert.equal(agent.Name, 'From fixture');
  const state = (await call(`${emu.url}/_emulator/state?vendor=zego`)).json.zego;
  assert.ok(state.agents.some((a) => a.AgentId === 'fixture-agent' && a.AppId === 1234567890));
  const bad = await call(`${emu.url}/_emulator/state`, { method: 'POST', json: { zego: { agents: [{ AgentId: 'x', AppId: 9 }] } } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.pointer, '/zego/agents/0/AppId');
  await zego.ok('UnregisterAgent', { AgentId: 'fixture-agent' });
});
