// ZEGO's server callbacks, end to end: a customer's receiver on loopback checks every event's
// fields, Signature and Sequence as ZEGO's docs define them; CallbackConfig gating and HostTag;
// retries at 2, 4, 8, 16 and 32 s driven by the emulator's clock, then giving up; no answer;
// hosts that are not loopback; scenario rules that drop, delay and duplicate; the callback
// journal, its filters and the metrics; the callback settings through GET/POST /_emulator/state.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startEmulator, stopCleanly, call, eventually } from '../support/emulator.mjs';
import { zegoClient, shiftClock, mergeZego, zegoState, rtc, llm, tts } from '../support/zego.mjs';
import { startReceiver, zegoSignatureValid, callbackJournal } from '../support/callbacks.mjs';

const APP_ID = 1234567890;
const SECRET = 'zego-callback-secret';

let emu;
let zego;
let main;    // the app's untagged callback URL
let tagged;  // the one HostTag "b" picks
let offset = 0;
let streams = 0;

async function advance(seconds) {
  offset += seconds;
  await shiftClock(emu.url, offset, zego);
}

const appUrls = () => [`${main.url}/zego`, { url: `${tagged.url}/tagged`, hostTag: 'b' }];

async function create(extra = {}) {
  const n = ++streams;
  const data = await zego.ok('CreateAgentInstance', { AgentId: 'jacky', UserId: 'user_1', RTC: rtc(n), ...extra });
  return { id: data.AgentInstanceId, n };
}

// The callbacks `receiver` got for one instance, in Sequence order.
const of = (receiver, id) =>
  receiver.requests.filter((r) => r.json?.AgentInstanceId === id).map((r) => r.json).sort((a, b) => a.Sequence - b.Sequence);
const event = (receiver, id, name, extra = () => true) => receiver.wait((b) => b.AgentInstanceId === id && b.Event === name && extra(b));

// The journal's attempts for one instance's callbacks (its body names the instance).
const attemptsOf = async (id, filters = {}) => (await callbackJournal(emu.url, { vendor: 'zego', ...filters }))
  .filter((e) => JSON.parse(e.body).AgentInstanceId === id);

before(async () => {
  emu = await startEmulator();
  zego = zegoClient(emu.url);
  main = await startReceiver();
  tagged = await startReceiver();
  await zego.ok('RegisterAgent', { AgentId: 'jacky', Name: 'Jacky', LLM: llm, TTS: tts, ASR: { Vendor: 'Tencent' } });
  await mergeZego(emu.url, { apps: [{ AppId: APP_ID, InstanceLimit: 100, callbackSecret: SECRET, callbackUrls: appUrls() }] });
});
after(async () => {
  await stopCleanly(emu);
  await main.close();
  await tagged.close();
});
beforeEach(async () => {
  main.answer = () => 200;
  await call(`${emu.url}/_emulator/scenarios`, { method: 'DELETE' });
});

test('an instance\'s life is called back in order: created, each status, the LLM\'s answer, deleted', async () => {
  const { id, n } = await create({ CallbackConfig: { AgentInstanceStatus: 1, LLMResult: 1 } });
  const [created] = await event(main, id, 'AgentInstanceCreated');
  assert.equal(created.AppId, APP_ID);
  assert.equal(typeof created.Nonce, 'string');
  assert.ok(Number.isInteger(created.Timestamp) && Math.abs(created.Timestamp - (Date.now() + offset * 1000)) < 60_000,
    'Timestamp is the emulator clock in milliseconds');
  assert.ok(zegoSignatureValid(created, SECRET), 'Signature is sha1 of the sorted callback secret, timestamp and nonce');
  assert.equal(created.AgentUserId, `agent_user_${n}`);
  assert.equal(created.RoomId, `room_${n}`);
  assert.equal(created.AgentId, 'jacky');
  assert.equal(created.Name, 'Jacky');
  assert.ok(Number.isInteger(created.Data.CreatedTimestamp));

  const { Round: round } = await zego.ok('SendAgentInstanceLLM', { AgentInstanceId: id, Text: 'hello' });
  await event(main, id, 'AgentInstanceStatus', (b) => b.Data.Status === 'THINKING');
  await advance(1);  // ThinkSeconds
  const [answer] = await event(main, id, 'LLMResult');
  assert.deepEqual(answer.Data, { Round: round, Text: 'agentemu simulated answer to: hello' });
  await event(main, id, 'AgentInstanceStatus', (b) => b.Data.Status === 'SPEAKING');
  await advance(3);  // SpeakSeconds
  await event(main, id, 'AgentInstanceStatus', (b) => b.Data.Status === 'IDLE');
  await zego.ok('DeleteAgentInstance', { AgentInstanceId: id });
  const [deleted] = await event(main, id, 'AgentInstanceDeleted');
  assert.equal(deleted.Data.Code, 0);
  assert.ok(Number.isInteger(deleted.Data.DeletedTimestamp));

  const all = of(main, id);
  assert.deepEqual(all.map((b) => (b.Event === 'AgentInstanceStatus' ? `${b.Event}:${b.Data.Status}` : b.Event)), [
    'AgentInstanceCreated', 'AgentInstanceStatus:THINKING', 'LLMResult', 'AgentInstanceStatus:SPEAKING',
    'AgentInstanceStatus:IDLE', 'AgentInstanceDeleted']);
  assert.deepEqual(all.map((b) => b.Sequence), [1, 2, 3, 4, 5, 6]);
  for (const b of all) assert.ok(zegoSignatureValid(b, SECRET), `${b.Event} is signed`);
  assert.equal(new Set(all.map((b) => b.Nonce)).size, all.length, 'each callback has its own Nonce');
  const statusRounds = all.filter((b) => b.Event === 'AgentInstanceStatus').map((b) => b.Data.Round);
  assert.deepEqual(statusRounds, [round, round, round]);
  assert.equal(main.requests.find((r) => r.json?.AgentInstanceId === id).headers['content-type'], 'application/json');
});

test('events behind CallbackConfig flags are sent only when enabled; HostTag picks the other URL', async () => {
  const { id } = await create();
  await zego.ok('SendAgentInstanceLLM', { AgentInstanceId: id, Text: 'quiet' });
  await advance(4);
  await zego.ok('DeleteAgentInstance', { AgentInstanceId: id });
  const [deleted] = await event(main, id, 'AgentInstanceDeleted');
  // Sequence counts only what is sent: nothing went out between creation and deletion.
  assert.equal(deleted.Sequence, 2);
  assert.deepEqual(of(main, id).map((b) => b.Event), ['AgentInstanceCreated', 'AgentInstanceDeleted']);

  const { id: other } = await create({ CallbackConfig: { HostTag: 'b', AgentInstanceStatus: 1 } });
  await zego.ok('SendAgentInstanceTTS', { AgentInstanceId: other, Text: 'over there' });
  await event(tagged, other, 'AgentInstanceStatus', (b) => b.Data.Status === 'SPEAKING');
  await eventually(async () => (await attemptsOf(other)).length >= 2);
  assert.ok((await attemptsOf(other)).every((e) => e.url === `${tagged.url}/tagged`));
  assert.equal(of(main, other).length, 0);
});

test('an interruption names its Round, Reason and the text played so far', async () => {
  const { id } = await create({ CallbackConfig: { Interrupted: 1, AgentInstanceStatus: 1 } });
  const { Round: round } = await zego.ok('SendAgentInstanceTTS', { AgentInstanceId: id, Text: 'one two three four five six' });
  await advance(1);
  await zego.ok('InterruptAgentInstance', { AgentInstanceId: id });
  const [interrupted] = await event(main, id, 'Interrupted');
  assert.equal(interrupted.Data.Round, round);
  assert.equal(interrupted.Data.Reason, 4);  // through the API
  assert.ok('one two three four five six'.startsWith(interrupted.Data.PlayedText));
  assert.ok(interrupted.Data.PlayedText.length < 'one two three four five six'.length);
  await event(main, id, 'AgentInstanceStatus', (b) => b.Data.Status === 'IDLE');
});

test('a walkie-talkie turn: the user speaks, their audio and the recognised text follow', async () => {
  const { id } = await create({
    AdvancedConfig: { CommunicationMode: 2 },
    CallbackConfig: { UserSpeakAction: 1, ASRResult: 1, UserAudioData: 1, LLMResult: 1 },
  });
  const { Round: round } = await zego.ok('StartListening', { AgentInstanceId: id, Sequence: 1 });
  const [begin] = await event(main, id, 'UserSpeakAction', (b) => b.Data.Action === 'SPEAK_BEGIN');
  assert.deepEqual(begin.Data, { UserId: 'user_1', Action: 'SPEAK_BEGIN', Round: round });
  await advance(2);
  await zego.ok('StopListening', { AgentInstanceId: id, Sequence: 2 });
  await event(main, id, 'UserSpeakAction', (b) => b.Data.Action === 'SPEAK_END');
  const [audio] = await event(main, id, 'UserAudioData');
  assert.equal(audio.Data.Round, round);
  assert.equal(audio.Data.SampleRate, 16000);
  assert.equal(Buffer.from(audio.Data.Audio, 'base64').length, 1.5 * 16000 * 2, 'the first 1.5 s, 16-bit mono');
  const [asr] = await event(main, id, 'ASRResult');
  assert.equal(asr.Data.Round, round);
  assert.equal(typeof asr.Data.Text, 'string');
  await advance(1);
  const [reply] = await event(main, id, 'LLMResult');
  assert.equal(reply.Data.Round, round);
});

test('a failed callback is retried at 2, 4, 8, 16 and 32 s on the emulator clock, then given up', async () => {
  main.answer = () => 500;
  const { id } = await create();
  const journal = async () => (await attemptsOf(id)).filter((e) => e.event === 'AgentInstanceCreated');
  let entries = await eventually(async () => { const e = await journal(); return e.length === 1 && e; });
  assert.equal(entries[0].status, 500);
  assert.equal(entries[0].outcome, 'retrying');
  assert.equal(Date.parse(entries[0].nextAttemptAt) - Date.parse(entries[0].time), 2000);
  for (const [wait, attempt] of [[2, 2], [4, 3], [8, 4], [16, 5], [32, 6]]) {
    await advance(wait);
    entries = await eventually(async () => { const e = await journal(); return e.length === attempt && e; });
    assert.equal(entries.at(-1).attempt, attempt);
  }
  assert.equal(entries.at(-1).outcome, 'given_up');
  assert.equal(entries.at(-1).nextAttemptAt, null);
  assert.deepEqual(entries.slice(0, 5).map((e) => e.outcome), Array(5).fill('retrying'));
  assert.equal(new Set(entries.map((e) => e.delivery)).size, 1, 'the attempts of one delivery');
  await advance(64);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const sent = main.requests.filter((r) => r.json?.AgentInstanceId === id);
  assert.equal(sent.length, 6, 'nothing after the last retry');
  assert.equal(new Set(sent.map((r) => r.body)).size, 1, 'every attempt sends the same body');

  const metrics = (await call(`${emu.url}/metrics`)).text;
  assert.match(metrics, /agentemu_callbacks_total\{vendor="zego",event="AgentInstanceCreated",outcome="given_up"\} 1\n/);
  assert.match(metrics, /agentemu_callback_attempts_total\{vendor="zego",event="AgentInstanceCreated",status="500"\} 6\n/);

  // Failing once, then answered: delivered by the first retry.
  let failures = 1;
  main.answer = () => (failures-- > 0 ? 503 : 200);
  const { id: second } = await create();
  await eventually(async () => (await attemptsOf(second)).length === 1);
  await advance(2);
  const delivered = await eventually(async () => { const e = await attemptsOf(second); return e.length === 2 && e; });
  assert.deepEqual(delivered.map((e) => [e.attempt, e.status, e.outcome]), [[1, 503, 'retrying'], [2, 200, 'delivered']]);
});

test('the journal filters by vendor, event, status and outcome, counts, and refuses unknown filters', async () => {
  const given = await callbackJournal(emu.url, { vendor: 'zego', outcome: 'given_up' });
  assert.ok(given.length >= 1 && given.every((e) => e.outcome === 'given_up'));
  const failed = await callbackJournal(emu.url, { status: '5xx', event: 'AgentInstanceCreated' });
  assert.ok(failed.length >= 6 && failed.every((e) => e.status >= 500 && e.event === 'AgentInstanceCreated'));
  const count = await call(`${emu.url}/_emulator/callbacks/count?status=5xx&event=AgentInstanceCreated`);
  assert.equal(count.json.count, failed.length);
  const entry = failed[0];
  for (const key of ['id', 'time', 'vendor', 'event', 'url', 'attempt', 'status', 'error', 'body', 'headers', 'outcome']) {
    assert.ok(key in entry, `an entry has ${key}`);
  }
  assert.equal(entry.headers['Content-Type'], 'application/json');
  assert.equal((await callbackJournal(emu.url, { limit: '1' })).length, 1);
  for (const bad of ['status=abc', 'outcome=lost', 'vendor=nobody', 'colour=red']) {
    const r = await call(`${emu.url}/_emulator/callbacks?${bad}`);
    assert.equal(r.status, 400, bad);
  }
});

test('no answer is status 0 with the reason; a host that is not loopback is blocked, not called', async () => {
  const closed = net.createServer();
  await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = closed.address().port;
  await new Promise((resolve) => closed.close(resolve));
  try {
    await mergeZego(emu.url, { apps: [{ AppId: APP_ID, callbackUrls: [`http://127.0.0.1:${port}/gone`] }] });
    const { id } = await create();
    const [refused] = await eventually(async () => { const e = await attemptsOf(id); return e.length === 1 && e; });
    assert.equal(refused.status, 0);
    assert.equal(refused.outcome, 'retrying');
    assert.ok(refused.error.length > 0);

    await mergeZego(emu.url, { apps: [{ AppId: APP_ID, callbackUrls: ['http://callbacks.example.com/zego'] }] });
    const { id: far } = await create();
    const [blocked] = await eventually(async () => { const e = await attemptsOf(far); return e.length === 1 && e; });
    assert.equal(blocked.outcome, 'blocked');
    assert.equal(blocked.status, 0);
    assert.match(blocked.error, /--callback-allow/);
  } finally {
    await mergeZego(emu.url, { apps: [{ AppId: APP_ID, callbackUrls: appUrls() }] });
  }
});

async function scenario(rule) {
  const r = await call(`${emu.url}/_emulator/scenarios/callbacks`, { method: 'PUT', json: { name: 'callbacks', rules: [rule] } });
  assert.equal(r.status, 200, r.text);
}

test('scenario rules drop, delay (on the emulator clock) and duplicate a delivery', async () => {
  await scenario({ match: { vendor: 'zego', callback: 'AgentInstanceCreated' }, when: { times: 1 }, respond: { callback: 'drop' } });
  const { id: lost } = await create();
  const [dropped] = await eventually(async () => { const e = await attemptsOf(lost); return e.length === 1 && e; });
  assert.equal(dropped.outcome, 'dropped');
  assert.deepEqual(dropped.scenario, { name: 'callbacks', rule: 'rules/0' });
  const { id: kept } = await create();  // times: 1
  await event(main, kept, 'AgentInstanceCreated');
  assert.equal(of(main, lost).length, 0);
  const listed = (await call(`${emu.url}/_emulator/scenarios`)).json.scenarios.find((s) => s.name === 'callbacks');
  assert.equal(listed.rules[0].phase, 'callback');
  assert.equal(listed.rules[0].hits, 1);

  await scenario({ match: { vendor: 'zego', callback: 'AgentInstance*', body: { '/Event': 'AgentInstanceCreated' } },
    delayMs: 30000, respond: 'pass' });
  const { id: late } = await create();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(of(main, late).length, 0, 'held for 30 s of the emulator clock');
  await advance(30);
  await event(main, late, 'AgentInstanceCreated');

  await scenario({ match: { vendor: 'zego', callback: 'AgentInstanceCreated' }, respond: { callback: 'duplicate', copies: 2 } });
  const { id: twice } = await create();
  const copies = await event(main, twice, 'AgentInstanceCreated').then(() => main.wait((b) => b.AgentInstanceId === twice, 3));
  assert.equal(new Set(copies.map((b) => JSON.stringify(b))).size, 1, 'the same callback three times');

  const bad = await call(`${emu.url}/_emulator/scenarios/bad`, { method: 'PUT', json: { name: 'bad', rules: [
    { match: { vendor: 'zego', callback: '*', operation: 'CreateAgentInstance' }, respond: 'pass' }] } });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /callback/);
});

test('the app\'s callback settings are in GET /_emulator/state and come back through POST', async () => {
  assert.equal((await zegoState(emu.url)).apps.find((a) => a.AppId === APP_ID).callbackSecret, '<redacted>');
  const app = (await zegoState(emu.url, { secrets: true })).apps.find((a) => a.AppId === APP_ID);
  assert.deepEqual(app.callbackUrls, appUrls());
  assert.equal(app.callbackSecret, SECRET);
  await mergeZego(emu.url, { apps: [{ AppId: APP_ID, callbackUrls: [], callbackSecret: 'other' }] });
  assert.deepEqual((await zegoState(emu.url)).apps.find((a) => a.AppId === APP_ID).callbackUrls, []);
  await mergeZego(emu.url, { apps: [app] });
  assert.deepEqual((await zegoState(emu.url, { secrets: true })).apps.find((a) => a.AppId === APP_ID), app);

  for (const [urls, message] of [[['a', 'b', 'c'].map((x) => `http://127.0.0.1/${x}`), /callbackUrls/],
    [['ftp://127.0.0.1/x'], /http/], [['http://127.0.0.1/a', 'http://127.0.0.1/b'], /hostTag/]]) {
    const r = await call(`${emu.url}/_emulator/state`, { method: 'POST', json: { zego: { apps: [{ AppId: APP_ID, callbackUrls: urls }] } } });
    assert.equal(r.status, 400, r.text);
    assert.match(r.text, message);
  }
});
