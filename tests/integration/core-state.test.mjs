// State that survives: GET /_emulator/state is a fixture document for every vendor (the dump of
// a state changed through each vendor's own API loads back into a fresh process and dumps the
// same), and --state-file keeps it across restarts.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startEmulator, stopCleanly, call, binary, childEnv, sourceDir } from '../support/emulator.mjs';
import { dumpState, assertRoundTrip, scratchDir } from '../support/state.mjs';
import { zegoClient, rtc, llm, tts } from '../support/zego.mjs';
import { v3, VOICE_AGENT } from '../support/ice.mjs';
import { ELIZA } from '../support/rest.mjs';
import { client, RUNTIME_ARN, CODE_INTERPRETER, BROWSER, TEST_CREDENTIALS, runtimeSessionId } from '../support/agentcore.mjs';
import {
  BedrockAgentCoreControlClient, CreateAgentRuntimeCommand, CreateAgentRuntimeEndpointCommand, UpdateAgentRuntimeCommand,
  CreateCodeInterpreterCommand, CreateBrowserCommand, CreateBrowserProfileCommand, CreateMemoryCommand,
  CreateWorkloadIdentityCommand, CreateApiKeyCredentialProviderCommand, CreateOauth2CredentialProviderCommand,
  ListAgentRuntimesCommand, ListAgentRuntimeVersionsCommand, GetAgentRuntimeCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import {
  InvokeAgentRuntimeCommand, StartCodeInterpreterSessionCommand, StartBrowserSessionCommand,
  StopCodeInterpreterSessionCommand,
} from '@aws-sdk/client-bedrock-agentcore';

// Every vendor's state, changed through its own API. A vendor that gains state adds a change
// here; the round trip below then proves its dump loads back.
const changes = {
  async zego(url) {
    const zego = zegoClient(url);
    await zego.ok('RegisterAgent', { AgentId: 'xiaozhi', Name: 'Jacky', LLM: llm, TTS: tts, ASR: { Vendor: 'Tencent' } });
    const { AgentInstanceId: talking } = await zego.ok('CreateAgentInstance', {
      AgentId: 'xiaozhi', UserId: 'user_1', RTC: rtc(1), AdvancedConfig: { CommunicationMode: 0 },
    });
    await zego.ok('SendAgentInstanceLLM', { AgentInstanceId: talking, Text: 'Hello' });
    // Busy for longer than the test takes, so the dump and its reload see the same status.
    const held = await call(`${url}/_emulator/state`, { method: 'POST',
      json: { zego: { instances: [{ AgentInstanceId: talking, Status: 'SPEAKING', BusySeconds: 600 }] } } });
    assert.equal(held.status, 200, held.text);
    const { AgentInstanceId: gone } = await zego.ok('CreateAgentInstance', { AgentId: 'xiaozhi', UserId: 'user_2', RTC: rtc(2) });
    await zego.ok('DeleteAgentInstance', { AgentInstanceId: gone });
  },

  async ice(url) {
    const runtime = JSON.stringify({ AgentUserId: 'agent1', ChannelId: 'channel1', AuthToken: 'token' });
    const started = await v3(url, { action: 'StartAIAgentInstance', params: { AIAgentId: VOICE_AGENT, RuntimeConfig: runtime, UserData: '{"a":1}' } });
    assert.equal(started.status, 200, started.text);
    const id = started.json.InstanceId;
    for (const [action, params] of [
      ['SendAIAgentText', { InstanceId: id, Text: 'hello' }],
      ['SendAIAgentSpeech', { InstanceId: id, Text: 'welcome' }],
      ['SetNotifyConfig', { AIAgentId: VOICE_AGENT, EnableNotify: 'true', CallbackUrl: 'http://127.0.0.1:9/ice', Token: 'cb-token' }],
      ['SubmitAIAgentVideoAuditTask', { AIAgentId: VOICE_AGENT,
        Input: JSON.stringify({ Type: 'OSS', Media: 'https://bucket.oss-cn-shanghai.aliyuncs.com/v.mp4' }),
        // Processing for longer than the test takes.
        CapturePolicies: JSON.stringify([{ StartTime: 0, Duration: 600, FrameCount: 2, Prompt: 'describe' }]) }],
    ]) {
      const r = await v3(url, { action, params });
      assert.equal(r.status, 200, `${action}: ${r.text}`);
    }
    const other = await v3(url, { action: 'StartAIAgentInstance', params: { AIAgentId: VOICE_AGENT, RuntimeConfig: runtime } });
    assert.equal((await v3(url, { action: 'StopAIAgentInstance', params: { InstanceId: other.json.InstanceId } })).status, 200);
  },

  async rest(url) {
    const created = await call(`${url}/agents`, { method: 'POST', json: { name: 'Ada', bio: 'Counts things', settings: { model: 'gpt-4' } } });
    assert.equal(created.status, 201, created.text);
    assert.equal((await call(`${url}/agents/${created.json.data.agentId}/start`, { method: 'POST', json: {} })).status, 200);
    const world = await call(`${url}/api/agents/${ELIZA}/worlds`, { method: 'POST', json: { name: 'Lobby', metadata: { a: 1 } } });
    assert.equal(world.status, 201, world.text);
    assert.equal((await call(`${url}/agents/${ELIZA}/stop`, { method: 'POST', json: {} })).status, 200);
  },

  async agentcore(url) {
    const cp = new BedrockAgentCoreControlClient({ region: 'us-east-1', endpoint: url, credentials: TEST_CREDENTIALS });
    const dp = client(url);
    try {
      const runtime = {
        agentRuntimeArtifact: { containerConfiguration: { containerUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:latest' } },
        roleArn: 'arn:aws:iam::123456789012:role/AgentRole', networkConfiguration: { networkMode: 'PUBLIC' },
      };
      const created = await cp.send(new CreateAgentRuntimeCommand({ agentRuntimeName: 'weather_agent', description: 'v1', ...runtime }));
      await cp.send(new UpdateAgentRuntimeCommand({ agentRuntimeId: created.agentRuntimeId, description: 'v2', ...runtime }));
      await cp.send(new CreateAgentRuntimeEndpointCommand({ agentRuntimeId: created.agentRuntimeId, name: 'prod', agentRuntimeVersion: '1' }));
      await cp.send(new CreateCodeInterpreterCommand({ name: 'my_ci', networkConfiguration: { networkMode: 'PUBLIC' } }));
      await cp.send(new CreateBrowserCommand({ name: 'my_browser', networkConfiguration: { networkMode: 'PUBLIC' } }));
      await cp.send(new CreateBrowserProfileCommand({ name: 'profile_one', description: 'cookies' }));
      await cp.send(new CreateMemoryCommand({ name: 'chat_memory', eventExpiryDuration: 30 }));
      await cp.send(new CreateWorkloadIdentityCommand({ name: 'my-agent' }));
      await cp.send(new CreateApiKeyCredentialProviderCommand({ name: 'search-key', apiKey: 'secret-value' }));
      await cp.send(new CreateOauth2CredentialProviderCommand({
        name: 'github', credentialProviderVendor: 'GithubOauth2',
        oauth2ProviderConfigInput: { githubOauth2ProviderConfig: { clientId: 'id', clientSecret: 'shh' } },
      }));

      await dp.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: RUNTIME_ARN, runtimeSessionId: runtimeSessionId('state'),
        payload: Buffer.from('{"prompt":"hi"}') }));
      const ci = await dp.send(new StartCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, name: 'kept' }));
      const stopped = await dp.send(new StartCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER }));
      await dp.send(new StopCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, sessionId: stopped.sessionId }));
      await dp.send(new StartBrowserSessionCommand({ browserIdentifier: BROWSER, name: 'surfing' }));
      assert.ok(ci.sessionId);
    } finally {
      cp.destroy();
      dp.destroy();
    }
  },
};

// Echo keeps the round trip free of child processes; the state is the same either way.
const args = ['--code-interpreter', 'echo'];

describe('GET /_emulator/state loads back', () => {
  let emu;
  before(async () => { emu = await startEmulator({ args }); });
  after(async () => { await stopCleanly(emu); });

  test('every vendor has a change here', async () => {
    const vendors = (await call(`${emu.url}/_emulator/health`)).json.vendors;
    assert.deepEqual([...vendors].sort(), Object.keys(changes).sort());
  });

  // What each change left in the dump, so the round trip cannot pass on empty sections.
  const shows = {
    zego: (d) => d.deletedInstances.length === 1 && d.instances.some((i) => i.Status === 'SPEAKING' && i.Messages.length > 0),
    ice: (d) => d.dialogues.some((s) => s.Dialogues.length >= 2) && d.instances.some((i) => i.Status === 'Finished') &&
      d.videoAuditTasks.length === 1 && d.notifyConfigs.length === 1,
    rest: (d) => d.agents.some((a) => a.name === 'Ada' && a.startedAt !== null) && d.agents.some((a) => a.worlds?.length === 1),
    agentcore: (d) => d.controlPlane.some((r) => r.kind === 'runtimes' && r.record.description === 'v2' && r.versions.length === 2) &&
      ['endpoints', 'codeInterpreters', 'browsers'].every((kind) => d.controlPlane.some((r) => r.kind === kind)) &&
      d.memories.length === 1 && d.sessions.filter((s) => s.kind === 'runtime').length === 1 &&
      d.sessions.some((s) => s.status === 'TERMINATED'),
  };

  for (const vendor of Object.keys(changes)) {
    test(`${vendor}: changed through its API, dumped, loaded into a fresh process, dumped again: the same`, async () => {
      await changes[vendor](emu.url);
      const dump = await dumpState(emu.url, { vendor });
      assert.ok(shows[vendor](dump[vendor]), `the changes are in the dump: ${JSON.stringify(dump[vendor]).slice(0, 2000)}`);
      await assertRoundTrip(dump, { args });
    });
  }

  test('all vendors at once, default fixtures included', async () => {
    await assertRoundTrip(await dumpState(emu.url), { args });
  });
});

// A state file the tests write by hand: the version 1 wrapper around a fixture document.
const stateDocument = (state, version = 1) => ({ agentemuState: version, state });

function runFailing(argv) {
  const r = spawnSync(binary, ['--port', '0', ...argv], { env: childEnv(), encoding: 'utf8', timeout: 15000, cwd: sourceDir });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('--state-file', () => {
  test('kept across a SIGTERM restart: loaded after the fixtures, saved at exit with its secrets', async () => {
    const file = path.join(scratchDir(), 'state.json');
    const first = await startEmulator({ args: [...args, '--state-file', file] });
    await changes.zego(first.url);
    await changes.rest(first.url);
    await changes.agentcore(first.url);
    const before = await dumpState(first.url);
    await stopCleanly(first);

    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(saved.agentemuState, 1);
    assert.deepEqual(saved.state, before, 'the file holds the whole state');
    assert.equal(saved.state.zego.apps[0].ServerSecret, '0123456789abcdef0123456789abcdef', 'secrets included');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'readable by its owner only: it holds secrets');
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['state.json'], 'no temporary file left behind');

    const second = await startEmulator({ args: [...args, '--state-file', file] });
    try {
      assert.deepEqual(await dumpState(second.url), before);
      // The restored app still signs: its secret came back.
      const agents = await zegoClient(second.url).ok('ListAgents', {});
      assert.ok(JSON.stringify(agents).includes('xiaozhi'), JSON.stringify(agents));
      // The control plane answers from the restored records: both versions of the runtime.
      const cp = new BedrockAgentCoreControlClient({ region: 'us-east-1', endpoint: second.url, credentials: TEST_CREDENTIALS });
      try {
        const runtimes = await cp.send(new ListAgentRuntimesCommand({}));
        const weather = runtimes.agentRuntimes.find((r) => r.agentRuntimeName === 'weather_agent');
        assert.ok(weather, JSON.stringify(runtimes.agentRuntimes));
        const versions = await cp.send(new ListAgentRuntimeVersionsCommand({ agentRuntimeId: weather.agentRuntimeId }));
        assert.deepEqual(versions.agentRuntimes.map((v) => v.agentRuntimeVersion), ['2', '1']);
        const got = await cp.send(new GetAgentRuntimeCommand({ agentRuntimeId: weather.agentRuntimeId }));
        assert.equal(got.description, 'v2');
      } finally {
        cp.destroy();
      }
    } finally {
      await stopCleanly(second);
    }
  });

  test('POST /_emulator/state/save writes it now; without --state-file it is refused', async () => {
    const dir = scratchDir();
    const file = path.join(dir, 'state.json');
    const emu = await startEmulator({ args: [...args, '--state-file', file] });
    try {
      assert.equal(fs.existsSync(file), false, 'nothing is written before it is asked for');
      await changes.rest(emu.url);
      const saved = await call(`${emu.url}/_emulator/state/save`, { method: 'POST' });
      assert.equal(saved.status, 200, saved.text);
      assert.equal(saved.json.status, 'ok');
      assert.equal(saved.json.path, file);
      assert.equal(saved.json.bytes, fs.statSync(file).size);
      assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')).state, await dumpState(emu.url));
      assert.deepEqual(fs.readdirSync(dir), ['state.json']);
    } finally {
      await stopCleanly(emu);
    }
    const plain = await startEmulator({ args });
    try {
      const refused = await call(`${plain.url}/_emulator/state/save`, { method: 'POST' });
      assert.equal(refused.status, 409, refused.text);
      assert.equal(refused.json.error, 'no_state_file');
    } finally {
      await stopCleanly(plain);
    }
  });

  test('a state file loads after the fixtures: what it holds wins, what it lacks stays', async () => {
    const file = path.join(scratchDir(), 'state.json');
    fs.writeFileSync(file, JSON.stringify(stateDocument({
      rest: { agents: [{ agentId: ELIZA, name: 'Eliza from the file' }] },
    })));
    const emu = await startEmulator({ args: [...args, '--state-file', file] });
    try {
      const state = await dumpState(emu.url);
      assert.equal(state.rest.agents.find((a) => a.agentId === ELIZA).name, 'Eliza from the file');
      assert.equal(state.rest.agents.length, 2, 'the fixtures\' other agent is still there');
    } finally {
      await stopCleanly(emu);
    }
  });

  test('a truncated, foreign, newer or invalid state file: one line naming it, exit 2', () => {
    const dir = scratchDir();
    const whole = JSON.stringify(stateDocument({ rest: { agents: [] } }));
    const cases = [
      ['truncated.json', whole.slice(0, whole.length - 7), /truncated\.json:1:\d+: .*/],
      ['empty.json', '', /empty\.json: .*empty/],
      ['foreign.json', JSON.stringify({ name: 'package', version: '1.0.0' }), /foreign\.json: not an agentemu state file/],
      ['fixture.json', JSON.stringify({ rest: { agents: [] } }), /fixture\.json: not an agentemu state file .*--fixtures/],
      ['newer.json', JSON.stringify(stateDocument({}, 99)), /newer\.json: state file version 99 is newer than this agentemu reads \(1\)/],
      ['older.json', JSON.stringify(stateDocument({}, 0)), /older\.json: state file version 0 /],
      ['invalid.json', JSON.stringify(stateDocument({ rest: { agents: [{ agentId: 'nope' }] } })), /invalid\.json: \/state\/rest\/agents\/0\/agentId: /],
      ['binary.json', Buffer.from([0x00, 0xff, 0x13, 0x37]), /binary\.json:1:1: /],
    ];
    for (const [name, content, message] of cases) {
      fs.writeFileSync(path.join(dir, name), content);
      const r = runFailing(['--state-file', path.join(dir, name)]);
      assert.equal(r.status, 2, `${name}: exit ${r.status}\n${r.stderr}`);
      assert.equal(r.stdout, '', `${name}: nothing announced`);
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `${name}: one line\n${r.stderr}`);
      assert.match(lines[0], /^agentemu: /);
      assert.match(lines[0], message, name);
    }
    const missingDir = runFailing(['--state-file', path.join(dir, 'no/such/folder/state.json')]);
    assert.equal(missingDir.status, 2, missingDir.stderr);
    assert.match(missingDir.stderr, /^agentemu: --state-file .*no\/such\/folder: no such folder\n$/);
  });

  test('AGENTEMU_STATE_FILE names it too', async () => {
    const file = path.join(scratchDir(), 'state.json');
    const emu = await startEmulator({ args, env: { AGENTEMU_STATE_FILE: file } });
    assert.equal((await call(`${emu.url}/_emulator/state/save`, { method: 'POST' })).status, 200);
    await stopCleanly(emu);
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).agentemuState, 1);
  });
});
