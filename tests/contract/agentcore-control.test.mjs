// @aws-sdk/client-bedrock-agentcore-control against agentemu (default fixtures, --auth strict):
// each emulated control-plane operation's happy path and declared errors, the status transitions
// on the emulator's clock, create-then-use flows into the data plane, and both SDKs reaching
// every operation they have (emulated, or 501 by name; never an unknown operation).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as control from '@aws-sdk/client-bedrock-agentcore-control';
import * as data from '@aws-sdk/client-bedrock-agentcore';
import { call, startEmulator, stopCleanly } from '../support/emulator.mjs';
import { RUNTIME_ARN, TEST_CREDENTIALS, client, rejection, runtimeSessionId } from '../support/agentcore.mjs';

const {
  BedrockAgentCoreControlClient, CreateAgentRuntimeCommand, GetAgentRuntimeCommand, ListAgentRuntimesCommand,
  UpdateAgentRuntimeCommand, DeleteAgentRuntimeCommand, ListAgentRuntimeVersionsCommand,
  CreateAgentRuntimeEndpointCommand, GetAgentRuntimeEndpointCommand, ListAgentRuntimeEndpointsCommand,
  UpdateAgentRuntimeEndpointCommand, DeleteAgentRuntimeEndpointCommand, CreateCodeInterpreterCommand,
  GetCodeInterpreterCommand, ListCodeInterpretersCommand, DeleteCodeInterpreterCommand, CreateBrowserCommand,
  GetBrowserCommand, ListBrowsersCommand, DeleteBrowserCommand, CreateBrowserProfileCommand, GetBrowserProfileCommand,
  ListBrowserProfilesCommand, DeleteBrowserProfileCommand, CreateMemoryCommand, GetMemoryCommand, ListMemoriesCommand,
  UpdateMemoryCommand, DeleteMemoryCommand, CreateWorkloadIdentityCommand, GetWorkloadIdentityCommand,
  ListWorkloadIdentitiesCommand, UpdateWorkloadIdentityCommand, DeleteWorkloadIdentityCommand,
  CreateApiKeyCredentialProviderCommand, GetApiKeyCredentialProviderCommand, ListApiKeyCredentialProvidersCommand,
  UpdateApiKeyCredentialProviderCommand, DeleteApiKeyCredentialProviderCommand, CreateOauth2CredentialProviderCommand,
  GetOauth2CredentialProviderCommand, ListOauth2CredentialProvidersCommand, UpdateOauth2CredentialProviderCommand,
  DeleteOauth2CredentialProviderCommand, GetTokenVaultCommand, CreateGatewayCommand,
} = control;

let emulator;
let cp;
let dp;

before(async () => {
  emulator = await startEmulator();
  cp = new BedrockAgentCoreControlClient({ region: 'us-east-1', endpoint: emulator.url, credentials: TEST_CREDENTIALS });
  dp = client(emulator.url);
});
after(async () => {
  cp?.destroy();
  dp?.destroy();
  await stopCleanly(emulator);
});

const admin = (path, init) => call(`${emulator.url}/_emulator/${path}`, init);
let offset = 0;
// Moves the emulator's clock past the transitions (1 s each).
async function later(seconds = 2) {
  offset += seconds;
  const r = await admin('clock', { method: 'PUT', body: JSON.stringify({ offsetSeconds: offset }) });
  assert.equal(r.status, 200);
}

const ROLE = 'arn:aws:iam::123456789012:role/AgentRole';
const ARTIFACT = { containerConfiguration: { containerUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:latest' } };
const NETWORK = { networkMode: 'PUBLIC' };

function createRuntime(name, extra = {}) {
  return cp.send(new CreateAgentRuntimeCommand({
    agentRuntimeName: name, agentRuntimeArtifact: ARTIFACT, roleArn: ROLE, networkConfiguration: NETWORK, ...extra,
  }));
}

describe('agent runtimes', () => {
  it('create, get, list, update (versions), endpoints, delete, with transitions on the clock', async () => {
    const created = await createRuntime('weather_agent', { description: 'forecasts' });
    assert.equal(created.$metadata.httpStatusCode, 202);
    assert.match(created.agentRuntimeId, /^weather_agent-[a-zA-Z0-9]{10}$/);
    assert.equal(created.agentRuntimeArn, `arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/${created.agentRuntimeId}`);
    assert.equal(created.agentRuntimeVersion, '1');
    assert.equal(created.status, 'CREATING');
    assert.ok(created.createdAt instanceof Date);
    const id = created.agentRuntimeId;

    let got = await cp.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }));
    assert.equal(got.status, 'CREATING');
    assert.equal(got.description, 'forecasts');
    assert.equal(got.roleArn, ROLE);
    assert.deepEqual(got.networkConfiguration, NETWORK);
    await later();
    got = await cp.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }));
    assert.equal(got.status, 'READY');

    const taken = await rejection(createRuntime('weather_agent'));
    assert.equal(taken.name, 'ConflictException');
    assert.equal(taken.$metadata.httpStatusCode, 409);

    const listed = await cp.send(new ListAgentRuntimesCommand({}));
    assert.ok(listed.agentRuntimes.some((r) => r.agentRuntimeId === id && r.status === 'READY'));
    assert.ok(listed.agentRuntimes.some((r) => r.agentRuntimeArn === RUNTIME_ARN), 'fixture runtimes are listed too');

    const updated = await cp.send(new UpdateAgentRuntimeCommand({
      agentRuntimeId: id, agentRuntimeArtifact: ARTIFACT, roleArn: ROLE, networkConfiguration: NETWORK, description: 'v2',
    }));
    assert.equal(updated.agentRuntimeVersion, '2');
    assert.equal(updated.status, 'UPDATING');
    await later();
    const versions = await cp.send(new ListAgentRuntimeVersionsCommand({ agentRuntimeId: id }));
    assert.deepEqual(versions.agentRuntimes.map((v) => v.agentRuntimeVersion), ['2', '1']);
    const v1 = await cp.send(new GetAgentRuntimeCommand({ agentRuntimeId: id, agentRuntimeVersion: '1' }));
    assert.equal(v1.description, 'forecasts');

    const endpoint = await cp.send(new CreateAgentRuntimeEndpointCommand({ agentRuntimeId: id, name: 'prod', agentRuntimeVersion: '1' }));
    assert.equal(endpoint.targetVersion, '1');
    assert.equal(endpoint.agentRuntimeEndpointArn, `${created.agentRuntimeArn}/runtime-endpoint/prod`);
    const dup = await rejection(cp.send(new CreateAgentRuntimeEndpointCommand({ agentRuntimeId: id, name: 'prod' })));
    assert.equal(dup.name, 'ConflictException');
    const badVersion = await rejection(cp.send(new CreateAgentRuntimeEndpointCommand({ agentRuntimeId: id, name: 'x', agentRuntimeVersion: '9' })));
    assert.equal(badVersion.name, 'ResourceNotFoundException');
    await later();
    const ep = await cp.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'prod' }));
    assert.equal(ep.status, 'READY');
    assert.equal(ep.liveVersion, '1');
    const eps = await cp.send(new ListAgentRuntimeEndpointsCommand({ agentRuntimeId: id }));
    assert.deepEqual(eps.runtimeEndpoints.map((e) => e.name).sort(), ['DEFAULT', 'prod']);
    assert.equal(eps.runtimeEndpoints.find((e) => e.name === 'DEFAULT').liveVersion, '2');
    const moved = await cp.send(new UpdateAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'prod', agentRuntimeVersion: '2' }));
    assert.equal(moved.targetVersion, '2');

    // Usable by the data plane at once, on both endpoints.
    for (const qualifier of ['DEFAULT', 'prod']) {
      const out = await dp.send(new data.InvokeAgentRuntimeCommand({
        agentRuntimeArn: created.agentRuntimeArn, qualifier, runtimeSessionId: runtimeSessionId('cp'),
        contentType: 'application/json', payload: Buffer.from('{"prompt":"hi"}'),
      }));
      const body = JSON.parse(await out.response.transformToString());
      assert.equal(body.qualifier, qualifier);
    }

    const gone = await cp.send(new DeleteAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'prod' }));
    assert.equal(gone.status, 'DELETING');
    const deleted = await cp.send(new DeleteAgentRuntimeCommand({ agentRuntimeId: id }));
    assert.equal(deleted.$metadata.httpStatusCode, 202);
    assert.equal(deleted.status, 'DELETING');
    const invoke = await rejection(dp.send(new data.InvokeAgentRuntimeCommand({
      agentRuntimeArn: created.agentRuntimeArn, runtimeSessionId: runtimeSessionId('gone'), payload: Buffer.from('x'),
    })));
    assert.equal(invoke.name, 'ResourceNotFoundException');
    await later();
    const missing = await rejection(cp.send(new GetAgentRuntimeCommand({ agentRuntimeId: id })));
    assert.equal(missing.name, 'ResourceNotFoundException');
    assert.equal(missing.$metadata.httpStatusCode, 404);
  });

  it('fixture runtimes are control-plane resources too', async () => {
    const got = await cp.send(new GetAgentRuntimeCommand({ agentRuntimeId: 'echo_agent-a1b2c3d4e5' }));
    assert.equal(got.agentRuntimeArn, RUNTIME_ARN);
    assert.equal(got.status, 'READY');
    const eps = await cp.send(new ListAgentRuntimeEndpointsCommand({ agentRuntimeId: 'echo_agent-a1b2c3d4e5' }));
    assert.deepEqual(eps.runtimeEndpoints.map((e) => e.name).sort(), ['DEFAULT', 'prod']);
  });

  it('declared errors: ValidationException from the model, ResourceNotFoundException, paging', async () => {
    const bad = await rejection(createRuntime('9starts-with-a-digit'));
    assert.equal(bad.name, 'ValidationException');
    assert.match(bad.message, /agentRuntimeName/);
    const noRole = await rejection(cp.send(new CreateAgentRuntimeCommand({ agentRuntimeName: 'x', agentRuntimeArtifact: ARTIFACT, networkConfiguration: NETWORK })));
    assert.equal(noRole.name, 'ValidationException');
    const unknown = await rejection(cp.send(new GetAgentRuntimeCommand({ agentRuntimeId: 'nope_agent-a1b2c3d4e5' })));
    assert.equal(unknown.name, 'ResourceNotFoundException');
    for (const name of ['page_a', 'page_b', 'page_c']) await createRuntime(name);
    const first = await cp.send(new ListAgentRuntimesCommand({ maxResults: 2 }));
    assert.equal(first.agentRuntimes.length, 2);
    assert.ok(first.nextToken);
    const rest = await cp.send(new ListAgentRuntimesCommand({ maxResults: 100, nextToken: first.nextToken }));
    assert.ok(rest.agentRuntimes.length >= 2);
    const badToken = await rejection(cp.send(new ListAgentRuntimesCommand({ nextToken: 'not-a-token' })));
    assert.equal(badToken.name, 'ValidationException');
  });

  it('a tenant never sees another account\'s runtimes', async () => {
    await createRuntime('tenant_one');
    const other = new BedrockAgentCoreControlClient({ region: 'eu-west-1', endpoint: emulator.url, credentials: TEST_CREDENTIALS });
    const listed = await other.send(new ListAgentRuntimesCommand({}));
    assert.ok(!listed.agentRuntimes.some((r) => r.agentRuntimeName === 'tenant_one'));
    other.destroy();
  });
});

describe('code interpreters, browsers and browser profiles', () => {
  it('a created code interpreter starts sessions at once; get, list, delete', async () => {
    const ci = await cp.send(new CreateCodeInterpreterCommand({ name: 'my_ci', networkConfiguration: NETWORK }));
    assert.equal(ci.$metadata.httpStatusCode, 202);
    assert.match(ci.codeInterpreterId, /^my_ci-[a-zA-Z0-9]{10}$/);
    assert.equal(ci.codeInterpreterArn, `arn:aws:bedrock-agentcore:us-east-1:123456789012:code-interpreter-custom/${ci.codeInterpreterId}`);
    assert.equal(ci.status, 'CREATING');
    const session = await dp.send(new data.StartCodeInterpreterSessionCommand({ codeInterpreterIdentifier: ci.codeInterpreterId }));
    assert.match(session.sessionId, /^[0-9A-Z]{26}$/);
    await later();
    const got = await cp.send(new GetCodeInterpreterCommand({ codeInterpreterId: ci.codeInterpreterId }));
    assert.equal(got.status, 'READY');
    assert.equal(got.name, 'my_ci');
    const listed = await cp.send(new ListCodeInterpretersCommand({}));
    assert.ok(listed.codeInterpreterSummaries.some((c) => c.codeInterpreterId === ci.codeInterpreterId));
    const deleted = await cp.send(new DeleteCodeInterpreterCommand({ codeInterpreterId: ci.codeInterpreterId }));
    assert.equal(deleted.status, 'DELETING');
    const refused = await rejection(dp.send(new data.StartCodeInterpreterSessionCommand({ codeInterpreterIdentifier: ci.codeInterpreterId })));
    assert.equal(refused.name, 'ResourceNotFoundException');
    const dup = await rejection(cp.send(new CreateCodeInterpreterCommand({ name: 'x', networkConfiguration: { networkMode: 'NOPE' } })));
    assert.equal(dup.name, 'ValidationException');
  });

  it('a created browser starts sessions at once; get, list, delete', async () => {
    const b = await cp.send(new CreateBrowserCommand({ name: 'my_browser', networkConfiguration: NETWORK }));
    assert.equal(b.browserArn, `arn:aws:bedrock-agentcore:us-east-1:123456789012:browser-custom/${b.browserId}`);
    const session = await dp.send(new data.StartBrowserSessionCommand({ browserIdentifier: b.browserId }));
    assert.ok(session.streams.automationStream.streamEndpoint);
    const got = await cp.send(new GetBrowserCommand({ browserId: b.browserId }));
    assert.equal(got.name, 'my_browser');
    const listed = await cp.send(new ListBrowsersCommand({}));
    assert.ok(listed.browserSummaries.some((x) => x.browserId === b.browserId));
    const taken = await rejection(cp.send(new CreateBrowserCommand({ name: 'my_browser', networkConfiguration: NETWORK })));
    assert.equal(taken.name, 'ConflictException');
    await cp.send(new DeleteBrowserCommand({ browserId: b.browserId }));
    await later();
    const missing = await rejection(cp.send(new GetBrowserCommand({ browserId: b.browserId })));
    assert.equal(missing.name, 'ResourceNotFoundException');
  });

  it('browser profiles: create, get, list, delete', async () => {
    const p = await cp.send(new CreateBrowserProfileCommand({ name: 'profile_one', description: 'cookies' }));
    assert.equal(p.status, 'READY');
    assert.equal(p.profileArn, `arn:aws:bedrock-agentcore:us-east-1:123456789012:browser-profile/${p.profileId}`);
    const got = await cp.send(new GetBrowserProfileCommand({ profileId: p.profileId }));
    assert.equal(got.description, 'cookies');
    const listed = await cp.send(new ListBrowserProfilesCommand({}));
    assert.ok(listed.profileSummaries.some((x) => x.profileId === p.profileId));
    await cp.send(new DeleteBrowserProfileCommand({ profileId: p.profileId }));
    const missing = await rejection(cp.send(new GetBrowserProfileCommand({ profileId: p.profileId })));
    assert.equal(missing.name, 'ResourceNotFoundException');
  });
});

describe('memories', () => {
  it('create with strategies, CREATING then ACTIVE, update strategies, list, delete', async () => {
    const created = await cp.send(new CreateMemoryCommand({
      name: 'chat_memory', eventExpiryDuration: 30,
      memoryStrategies: [{ semanticMemoryStrategy: { name: 'facts', namespaces: ['/facts/{actorId}'] } }],
    }));
    assert.equal(created.$metadata.httpStatusCode, 202);
    const memory = created.memory;
    assert.match(memory.id, /^chat_memory-[a-zA-Z0-9]{10}$/);
    assert.equal(memory.arn, `arn:aws:bedrock-agentcore:us-east-1:123456789012:memory/${memory.id}`);
    assert.equal(memory.status, 'CREATING');
    assert.equal(memory.strategies.length, 1);
    assert.equal(memory.strategies[0].type, 'SEMANTIC');
    assert.ok(memory.createdAt instanceof Date);
    await later();
    const got = await cp.send(new GetMemoryCommand({ memoryId: memory.id }));
    assert.equal(got.memory.status, 'ACTIVE');
    assert.equal(got.memory.eventExpiryDuration, 30);
    const strategyId = got.memory.strategies[0].strategyId;
    const updated = await cp.send(new UpdateMemoryCommand({
      memoryId: memory.id, description: 'notes',
      memoryStrategies: {
        addMemoryStrategies: [{ summaryMemoryStrategy: { name: 'summary' } }],
        deleteMemoryStrategies: [{ memoryStrategyId: strategyId }],
      },
    }));
    assert.equal(updated.memory.status, 'UPDATING');
    assert.deepEqual(updated.memory.strategies.map((s) => s.type), ['SUMMARIZATION']);
    const listed = await cp.send(new ListMemoriesCommand({}));
    assert.ok(listed.memories.some((m) => m.id === memory.id));
    const taken = await rejection(cp.send(new CreateMemoryCommand({ name: 'chat_memory', eventExpiryDuration: 30 })));
    assert.equal(taken.name, 'ConflictException');
    const badExpiry = await rejection(cp.send(new CreateMemoryCommand({ name: 'other', eventExpiryDuration: 0 })));
    assert.equal(badExpiry.name, 'ValidationException');
    const deleted = await cp.send(new DeleteMemoryCommand({ memoryId: memory.id }));
    assert.equal(deleted.status, 'DELETING');
    await later();
    const missing = await rejection(cp.send(new GetMemoryCommand({ memoryId: memory.id })));
    assert.equal(missing.name, 'ResourceNotFoundException');
  });
});

describe('identity', () => {
  it('workload identities: create, get, list, update, delete', async () => {
    const w = await cp.send(new CreateWorkloadIdentityCommand({ name: 'my-agent' }));
    assert.equal(w.$metadata.httpStatusCode, 201);
    assert.equal(w.workloadIdentityArn,
      'arn:aws:bedrock-agentcore:us-east-1:123456789012:workload-identity-directory/default/workload-identity/my-agent');
    const u = await cp.send(new UpdateWorkloadIdentityCommand({ name: 'my-agent', allowedResourceOauth2ReturnUrls: ['https://app.example.com/cb'] }));
    assert.deepEqual(u.allowedResourceOauth2ReturnUrls, ['https://app.example.com/cb']);
    const got = await cp.send(new GetWorkloadIdentityCommand({ name: 'my-agent' }));
    assert.ok(got.createdTime instanceof Date);
    const listed = await cp.send(new ListWorkloadIdentitiesCommand({}));
    assert.ok(listed.workloadIdentities.some((x) => x.name === 'my-agent'));
    const dup = await rejection(cp.send(new CreateWorkloadIdentityCommand({ name: 'my-agent' })));
    assert.equal(dup.name, 'ConflictException');
    const del = await cp.send(new DeleteWorkloadIdentityCommand({ name: 'my-agent' }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    const missing = await rejection(cp.send(new GetWorkloadIdentityCommand({ name: 'my-agent' })));
    assert.equal(missing.name, 'ResourceNotFoundException');
  });

  it('API key and OAuth2 credential providers, and the token vault', async () => {
    const key = await cp.send(new CreateApiKeyCredentialProviderCommand({ name: 'search-key', apiKey: 'secret-value' }));
    assert.equal(key.credentialProviderArn,
      'arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/search-key');
    assert.match(key.apiKeySecretArn.secretArn, /^arn:aws:secretsmanager:us-east-1:123456789012:secret:/);
    const got = await cp.send(new GetApiKeyCredentialProviderCommand({ name: 'search-key' }));
    assert.equal(got.apiKey, undefined, 'the key itself is never answered');
    await cp.send(new UpdateApiKeyCredentialProviderCommand({ name: 'search-key', apiKey: 'rotated' }));
    const keys = await cp.send(new ListApiKeyCredentialProvidersCommand({}));
    assert.ok(keys.credentialProviders.some((p) => p.name === 'search-key'));
    await cp.send(new DeleteApiKeyCredentialProviderCommand({ name: 'search-key' }));
    assert.equal((await rejection(cp.send(new GetApiKeyCredentialProviderCommand({ name: 'search-key' })))).name,
      'ResourceNotFoundException');

    const oauth = await cp.send(new CreateOauth2CredentialProviderCommand({
      name: 'github', credentialProviderVendor: 'GithubOauth2',
      oauth2ProviderConfigInput: { githubOauth2ProviderConfig: { clientId: 'id', clientSecret: 'shh' } },
    }));
    assert.match(oauth.callbackUrl, /^https:\/\/bedrock-agentcore\.us-east-1\.amazonaws\.com\//);
    assert.equal(oauth.oauth2ProviderConfigOutput.githubOauth2ProviderConfig.clientId, 'id');
    assert.equal(oauth.oauth2ProviderConfigOutput.githubOauth2ProviderConfig.clientSecret, undefined);
    const gotOauth = await cp.send(new GetOauth2CredentialProviderCommand({ name: 'github' }));
    assert.equal(gotOauth.credentialProviderVendor, 'GithubOauth2');
    await cp.send(new UpdateOauth2CredentialProviderCommand({
      name: 'github', credentialProviderVendor: 'GithubOauth2',
      oauth2ProviderConfigInput: { githubOauth2ProviderConfig: { clientId: 'id2', clientSecret: 'shh' } },
    }));
    const providers = await cp.send(new ListOauth2CredentialProvidersCommand({}));
    assert.equal(providers.credentialProviders.find((p) => p.name === 'github').credentialProviderVendor, 'GithubOauth2');
    await cp.send(new DeleteOauth2CredentialProviderCommand({ name: 'github' }));

    const vault = await cp.send(new GetTokenVaultCommand({}));
    assert.equal(vault.tokenVaultId, 'default');
    assert.equal(vault.kmsConfiguration.keyType, 'ServiceManagedKey');
    assert.ok(vault.lastModifiedDate instanceof Date);
  });
});

describe('the whole surface', () => {
  it('a real operation that is not emulated is 501 by name', async () => {
    const e = await rejection(cp.send(new CreateGatewayCommand({
      name: 'gw', roleArn: ROLE, protocolType: 'MCP', authorizerType: 'NONE',
    })));
    assert.equal(e.$metadata.httpStatusCode, 501);
    assert.equal(e.name, 'NotImplementedException');
    assert.match(e.message, /agentemu does not emulate CreateGateway/);
  });

  it('state shows what the control plane created', async () => {
    await cp.send(new CreateMemoryCommand({ name: 'state_memory', eventExpiryDuration: 7 }));
    const state = (await admin('state?vendor=agentcore')).json;
    assert.ok(state.agentcore.memories.some((m) => m.name === 'state_memory'));
  });

  it('both SDK clients reach every operation they have: emulated or 501, never unknown', async () => {
    const described = (await admin('operations?vendor=agentcore')).json;
    const operations = new Map(described.operations.map((o) => [o.operation, o]));
    assert.equal(operations.size, 238);
    const clients = [
      [control, cp, 'control'],
      [data, dp, 'data'],
    ];
    let reached = 0;
    for (const [sdk, sdkClient, plane] of clients) {
      for (const [exported, Command] of Object.entries(sdk)) {
        if (!/^[A-Z][A-Za-z0-9]+Command$/.test(exported) || typeof Command !== 'function') continue;
        const name = exported.slice(0, -'Command'.length);
        const op = operations.get(name);
        assert.ok(op, `${name} is not known`);
        assert.equal(op.plane, plane);
        const input = {};
        for (const p of op.parameters) if (p.in === 'label') input[p.name] = 'label_value-a1b2c3d4e5';
        let status;
        let errorName;
        try {
          const out = await sdkClient.send(new Command(input));
          status = out.$metadata.httpStatusCode;
          if (out.response?.transformToString) await out.response.transformToString();
          if (out.stream) for await (const event of out.stream) void event;
        } catch (error) {
          status = error.$metadata?.httpStatusCode;
          errorName = error.name;
        }
        assert.notEqual(errorName, 'UnknownOperationException', `${name} was not routed`);
        assert.ok(status !== undefined, `${name} got no HTTP answer (${errorName})`);
        if (!op.emulated) assert.equal(status === 501 || status === 400, true, `${name}: ${status} ${errorName}`);
        reached += 1;
      }
    }
    assert.equal(reached, 238);
  });
});
