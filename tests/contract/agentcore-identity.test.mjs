// AgentCore Identity's data plane through @aws-sdk/client-bedrock-agentcore (workload identities
// and credential providers made with the -control client, JWT issuers loaded as fixtures):
// workload access tokens for the workload, a user id and a user's JWT (RS256 inline, ES256 from a
// JWKS file; expired, forged, wrong audience and untrusted ones refused), API keys, OAuth2 tokens
// machine to machine and through the user-federation flow end to end, tokens refused for the
// wrong workload or tenant or once expired, M2M from a local token endpoint, the `bedrock-agentcore`
// package's identity wrappers pointed at agentemu (also inside a BedrockAgentCoreApp agent, with the
// invocation's workload token), and a state dump loaded into another agentemu. Secrets never
// reach the logs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  CompleteResourceTokenAuthCommand, GetResourceApiKeyCommand, GetResourceOauth2TokenCommand, GetWorkloadAccessTokenCommand,
  GetWorkloadAccessTokenForJWTCommand, GetWorkloadAccessTokenForUserIdCommand, InvokeAgentRuntimeCommand,
} from '@aws-sdk/client-bedrock-agentcore';
import {
  BedrockAgentCoreControlClient, CreateApiKeyCredentialProviderCommand, CreateOauth2CredentialProviderCommand,
  CreateWorkloadIdentityCommand, DeleteWorkloadIdentityCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { call, eventually, startEmulator, stopCleanly } from '../support/emulator.mjs';
import { TEST_CREDENTIALS, client, rejection, runtimeSessionId } from '../support/agentcore.mjs';

const ISSUER = 'https://idp.example.com';
const FILE_ISSUER = 'https://other-idp.example.com';
const RETURN_URL = 'https://app.example.com/oauth/done';
const API_KEY = 'owm-secret-key-0123456789';

let emulator;
let cp;
let dp;
let folder;
const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const stranger = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });

const b64 = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
function jwt(claims, { key = rsa.privateKey, alg = 'RS256', kid = 'rsa-1' } = {}) {
  const now = Math.floor(Date.now() / 1000) + offset;
  const body = `${b64({ alg, typ: 'JWT', kid })}.${b64({ iss: ISSUER, sub: 'alice', aud: 'weather-app', iat: now, exp: now + 600, ...claims })}`;
  const signature = alg === 'ES256'
    ? crypto.sign('sha256', Buffer.from(body), { key, dsaEncoding: 'ieee-p1363' })
    : crypto.sign('sha256', Buffer.from(body), key);
  return `${body}.${signature.toString('base64url')}`;
}

const admin = (p, init) => call(`${emulator.url}/_emulator/${p}`, init);
let offset = 0;
async function later(seconds) {
  offset += seconds;
  assert.equal((await admin('clock', { method: 'PUT', body: JSON.stringify({ offsetSeconds: offset }) })).status, 200);
}

async function watFor(userId) {
  const out = await dp.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'weather-agent', userId }));
  return out.workloadAccessToken;
}

before(async () => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'agentemu-identity-'));
  const jwksFile = path.join(folder, 'jwks.json');
  fs.writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', alg: 'ES256', use: 'sig' }] }));
  emulator = await startEmulator({ args: ['--log-level', 'debug'] });
  cp = new BedrockAgentCoreControlClient({ region: 'us-east-1', endpoint: emulator.url, credentials: TEST_CREDENTIALS });
  dp = client(emulator.url);
  const fixtures = { agentcore: {
    jwtIssuers: [
      { issuer: ISSUER, allowedAudience: ['weather-app'], jwks: { keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1' }] } },
      { issuer: FILE_ISSUER, jwksFile },
    ],
    oauth2Tokens: [{ providerName: 'github', flow: 'M2M', accessToken: 'gho_fixture_token' }],
  } };
  const loaded = await admin('state', { method: 'POST', body: JSON.stringify(fixtures) });
  assert.equal(loaded.status, 200, loaded.text);
  await cp.send(new CreateWorkloadIdentityCommand({ name: 'weather-agent', allowedResourceOauth2ReturnUrls: [RETURN_URL] }));
  await cp.send(new CreateApiKeyCredentialProviderCommand({ name: 'openweather', apiKey: API_KEY }));
  await cp.send(new CreateOauth2CredentialProviderCommand({ name: 'github', credentialProviderVendor: 'GithubOauth2',
    oauth2ProviderConfigInput: { githubOauth2ProviderConfig: { clientId: 'gh-client', clientSecret: 'gh-secret-value' } } }));
  await cp.send(new CreateOauth2CredentialProviderCommand({ name: 'calendar', credentialProviderVendor: 'CustomOauth2',
    oauth2ProviderConfigInput: { customOauth2ProviderConfig: { clientId: 'cal', clientSecret: 'cal-secret-value',
      oauthDiscovery: { authorizationServerMetadata: { issuer: 'https://cal.example.com', authorizationEndpoint: 'https://cal.example.com/authorize',
        tokenEndpoint: 'https://cal.example.com/token' } } } },
    tags: { 'agentemu:accessToken': 'cal-token-from-tag' } }));
});
after(async () => {
  cp?.destroy();
  dp?.destroy();
  fs.rmSync(folder, { recursive: true, force: true });
  await stopCleanly(emulator);
});

describe('workload access tokens', () => {
  it('for the workload, a user id and a user JWT (RS256 inline keys, ES256 from a JWKS file)', async () => {
    const plain = await dp.send(new GetWorkloadAccessTokenCommand({ workloadName: 'weather-agent' }));
    assert.match(plain.workloadAccessToken, /^wat1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.match(await watFor('alice'), /^wat1\./);
    const viaJwt = await dp.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: 'weather-agent', userToken: jwt({}) }));
    assert.match(viaJwt.workloadAccessToken, /^wat1\./);
    const es = jwt({ iss: FILE_ISSUER, aud: 'anything' }, { key: ec.privateKey, alg: 'ES256', kid: 'ec-1' });
    assert.match((await dp.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: 'weather-agent', userToken: es }))).workloadAccessToken, /^wat1\./);
  });

  it('refuses expired, forged, untrusted and wrongly addressed JWTs with UnauthorizedException', async () => {
    const refused = async (userToken) => {
      const e = await rejection(dp.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: 'weather-agent', userToken })));
      assert.equal(e.name, 'UnauthorizedException');
      assert.equal(e.$metadata.httpStatusCode, 401);
      return e.message;
    };
    const now = Math.floor(Date.now() / 1000) + offset;
    assert.equal(await refused(jwt({ exp: now - 1 })), 'The user token has expired');
    assert.equal(await refused(jwt({}, { key: stranger.privateKey })), 'The user token\'s signature could not be verified');
    assert.equal(await refused(jwt({ iss: 'https://evil.example.com' })), 'The user token\'s issuer is not trusted');
    assert.equal(await refused(jwt({ aud: 'someone-else' })), 'The user token\'s audience is not allowed');
    assert.equal(await refused(jwt({ nbf: now + 300 })), 'The user token is not valid yet');
    const none = `${b64({ alg: 'none' })}.${b64({ iss: ISSUER, sub: 'a', exp: now + 60 })}.e30`;
    assert.equal(await refused(none), 'The user token is signed with an unsupported algorithm');
    const pattern = await rejection(dp.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: 'weather-agent', userToken: '!!' })));
    assert.equal(pattern.name, 'ValidationException');
    const diagnostic = (await admin('requests?operation=GetWorkloadAccessTokenForJWT&status=401&limit=1')).json.requests[0].diagnostic;
    assert.match(diagnostic, /the user token was refused: alg "none"/);
  });

  it('the wrong workload, tenant or an expired token is refused', async () => {
    const unknown = await rejection(dp.send(new GetWorkloadAccessTokenCommand({ workloadName: 'no-such-agent' })));
    assert.equal(unknown.name, 'ResourceNotFoundException');
    const wat = await watFor('alice');
    const ask = (workloadIdentityToken, sdk = dp) =>
      sdk.send(new GetResourceApiKeyCommand({ workloadIdentityToken, resourceCredentialProviderName: 'openweather' }));
    const forged = await rejection(ask(`${wat.slice(0, -4)}AAAA`));
    assert.equal(forged.name, 'AccessDeniedException');
    assert.equal(forged.message, 'The workload access token is invalid or has expired');
    const otherRegion = client(emulator.url, { region: 'eu-west-1' });
    assert.equal((await rejection(ask(wat, otherRegion))).name, 'AccessDeniedException');
    otherRegion.destroy();
    // A workload deleted since its token was issued has no credentials any more.
    await cp.send(new CreateWorkloadIdentityCommand({ name: 'short-lived' }));
    const { workloadAccessToken } = await dp.send(new GetWorkloadAccessTokenCommand({ workloadName: 'short-lived' }));
    await cp.send(new DeleteWorkloadIdentityCommand({ name: 'short-lived' }));
    assert.equal((await rejection(ask(workloadAccessToken))).name, 'ResourceNotFoundException');
  });
});

describe('credentials', () => {
  it('GetResourceApiKey answers the provider\'s key for a valid workload token', async () => {
    const wat = await watFor('alice');
    const out = await dp.send(new GetResourceApiKeyCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: 'openweather' }));
    assert.equal(out.apiKey, API_KEY);
    const missing = await rejection(dp.send(new GetResourceApiKeyCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: 'nope' })));
    assert.equal(missing.name, 'ResourceNotFoundException');
  });

  it('M2M tokens: from the fixtures, from the provider\'s tag, else a stable one agentemu makes', async () => {
    const { workloadAccessToken } = await dp.send(new GetWorkloadAccessTokenCommand({ workloadName: 'weather-agent' }));
    const token = (name) => dp.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: workloadAccessToken,
      resourceCredentialProviderName: name, scopes: ['read'], oauth2Flow: 'M2M' }));
    assert.equal((await token('github')).accessToken, 'gho_fixture_token');
    assert.equal((await token('calendar')).accessToken, 'cal-token-from-tag');
    await cp.send(new CreateOauth2CredentialProviderCommand({ name: 'plain', credentialProviderVendor: 'SlackOauth2',
      oauth2ProviderConfigInput: { slackOauth2ProviderConfig: { clientId: 'slack', clientSecret: 'slack-secret' } } }));
    const made = (await token('plain')).accessToken;
    assert.match(made, /^agentemu_[A-Za-z0-9_-]{43}$/);
    assert.equal((await token('plain')).accessToken, made);
  });

  it('user federation: an authorization URL, CompleteResourceTokenAuth for the same user, then the token', async () => {
    const wat = await watFor('alice');
    const ask = (extra = {}) => dp.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat,
      resourceCredentialProviderName: 'calendar', scopes: ['calendar.read'], oauth2Flow: 'USER_FEDERATION',
      resourceOauth2ReturnUrl: RETURN_URL, ...extra }));
    const started = await ask();
    assert.equal(started.accessToken, undefined);
    assert.equal(started.sessionStatus, 'IN_PROGRESS');
    assert.match(started.sessionUri, /^urn:ietf:params:oauth:request_uri:[0-9a-f-]{36}$/);
    assert.equal(started.authorizationUrl,
      `https://bedrock-agentcore.us-east-1.amazonaws.com/identities/oauth2/authorize?request_uri=${encodeURIComponent(started.sessionUri)}`);
    const { sessionUri } = started;
    assert.equal((await ask({ sessionUri })).sessionStatus, 'IN_PROGRESS');

    const wrongUser = await rejection(dp.send(new CompleteResourceTokenAuthCommand({ sessionUri, userIdentifier: { userId: 'bob' } })));
    assert.equal(wrongUser.name, 'AccessDeniedException');
    const done = await dp.send(new CompleteResourceTokenAuthCommand({ sessionUri, userIdentifier: { userId: 'alice' } }));
    assert.equal(done.$metadata.httpStatusCode, 200);
    const token = await ask({ sessionUri });
    assert.equal(token.accessToken, 'cal-token-from-tag');
    // The vault keeps it: no new consent, unless forced.
    assert.equal((await ask()).accessToken, 'cal-token-from-tag');
    assert.equal((await ask({ forceAuthentication: true })).sessionStatus, 'IN_PROGRESS');

    const notAllowed = await rejection(ask({ resourceOauth2ReturnUrl: 'https://evil.example.com/cb' }));
    assert.equal(notAllowed.name, 'ValidationException');
    assert.equal(notAllowed.fieldList[0].name, 'resourceOauth2ReturnUrl');
    const { workloadAccessToken } = await dp.send(new GetWorkloadAccessTokenCommand({ workloadName: 'weather-agent' }));
    const noUser = await rejection(dp.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: workloadAccessToken,
      resourceCredentialProviderName: 'calendar', scopes: [], oauth2Flow: 'USER_FEDERATION' })));
    assert.equal(noUser.name, 'ValidationException');
    const unknown = await rejection(ask({ sessionUri: 'urn:ietf:params:oauth:request_uri:nothing' }));
    assert.equal(unknown.name, 'ResourceNotFoundException');
  });

  it('user federation for a JWT user completes with the same user\'s JWT', async () => {
    const { workloadAccessToken } = await dp.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: 'weather-agent',
      userToken: jwt({ sub: 'carol' }) }));
    const started = await dp.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: workloadAccessToken,
      resourceCredentialProviderName: 'github', scopes: ['repo'], oauth2Flow: 'USER_FEDERATION' }));
    const other = await rejection(dp.send(new CompleteResourceTokenAuthCommand({ sessionUri: started.sessionUri,
      userIdentifier: { userToken: jwt({ sub: 'dan' }) } })));
    assert.equal(other.name, 'AccessDeniedException');
    await dp.send(new CompleteResourceTokenAuthCommand({ sessionUri: started.sessionUri, userIdentifier: { userToken: jwt({ sub: 'carol' }) } }));
    const out = await dp.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: workloadAccessToken,
      resourceCredentialProviderName: 'github', scopes: ['repo'], oauth2Flow: 'USER_FEDERATION', sessionUri: started.sessionUri }));
    assert.match(out.accessToken, /^agentemu_/);  // the fixture's github token is for M2M only
  });

  it('the bedrock-agentcore package\'s withApiKey and withAccessToken get their credentials from agentemu', async () => {
    // Its IdentityClient builds its own SDK client: pointed at agentemu by the SDK's own variables.
    Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: emulator.url,
      AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
    const { withApiKey, withAccessToken } = await import('bedrock-agentcore/identity');
    const wat = await watFor('erin');
    const tool = withApiKey({ providerName: 'openweather', workloadIdentityToken: wat })(async (city, key) => `${city}:${key}`);
    assert.equal(await tool('Lyon'), `Lyon:${API_KEY}`);
    const m2m = withAccessToken({ providerName: 'github', scopes: ['repo'], authFlow: 'M2M', workloadIdentityToken: wat })(
      async (token) => token);
    assert.equal(await m2m(), 'gho_fixture_token');
    // The three-legged path: the wrapper hands out the URL, the "user" consents, its poll (every
    // 5 s) gets the token.
    let seen;
    const federated = withAccessToken({ providerName: 'calendar', scopes: ['calendar.read'], authFlow: 'USER_FEDERATION',
      workloadIdentityToken: wat, onAuthUrl: async (url) => {
        seen = url;
        const sessionUri = new URL(url).searchParams.get('request_uri');
        await dp.send(new CompleteResourceTokenAuthCommand({ sessionUri, userIdentifier: { userId: 'erin' } }));
      } })(async (token) => token);
    assert.equal(await federated(), 'cal-token-from-tag');
    assert.match(seen, /request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A/);
  });

  it('an agent built with BedrockAgentCoreApp gets a workload token with each invocation and fetches its tool\'s key', async () => {
    Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: emulator.url,
      AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
    const { BedrockAgentCoreApp } = await import('bedrock-agentcore/runtime');
    const { withApiKey } = await import('bedrock-agentcore/identity');
    // No workloadIdentityToken: the wrapper takes the invocation's, as on AgentCore Runtime.
    const weather = withApiKey({ providerName: 'openweather' })(async (city, key) => `${city}:${key}`);
    const app = new BedrockAgentCoreApp({
      invocationHandler: { process: async (request, context) => ({ forecast: await weather(request.city), token: context.workloadAccessToken?.slice(0, 5) }) },
      config: { logging: { enabled: false } },
    });
    const port = await new Promise((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => { const p = probe.address().port; probe.close(() => resolve(p)); });
    });
    app.run({ port, host: '127.0.0.1' });
    try {
      await eventually(async () => { try { return (await fetch(`http://127.0.0.1:${port}/ping`)).ok; } catch { return false; } });
      const arn = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/tool_agent-a1b2c3d4e5';
      const loaded = await admin('state', { method: 'POST', body: JSON.stringify({ agentcore: { runtimes: [{ arn, invocationUrl: `http://127.0.0.1:${port}` }] } }) });
      assert.equal(loaded.status, 200, loaded.text);
      const invoke = (extra) => dp.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: arn, runtimeSessionId: runtimeSessionId('tool'),
        contentType: 'application/json', payload: Buffer.from(JSON.stringify({ city: 'Lyon' })), ...extra }));
      const out = await invoke({ runtimeUserId: 'erin' });
      assert.deepEqual(JSON.parse(await out.response.transformToString()), { forecast: `Lyon:${API_KEY}`, token: 'wat1.' });
      const anonymous = await invoke({});
      assert.equal(JSON.parse(await anonymous.response.transformToString()).forecast, `Lyon:${API_KEY}`);
    } finally {
      await app._app.close();
    }
  });

  it('a state dump loads back as fixtures: another agentemu hands out the same credentials', async () => {
    const { json } = await admin('state?vendor=agentcore&secrets=true');
    const other = await startEmulator();
    const odp = client(other.url);
    try {
      const loaded = await call(`${other.url}/_emulator/state`, { method: 'POST', body: JSON.stringify(json) });
      assert.equal(loaded.status, 200, loaded.text);
      // Workload access tokens are the process's own: the other one makes its own.
      const { workloadAccessToken: erin } = await odp.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'weather-agent', userId: 'erin' }));
      const key = await odp.send(new GetResourceApiKeyCommand({ workloadIdentityToken: erin, resourceCredentialProviderName: 'openweather' }));
      assert.equal(key.apiKey, API_KEY);
      const token = (input) => odp.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: erin, scopes: ['repo'], ...input }));
      assert.equal((await token({ resourceCredentialProviderName: 'github', oauth2Flow: 'M2M' })).accessToken, 'gho_fixture_token');
      // The token erin consented to earlier is in the vault: answered at once, no authorization URL.
      const federated = await token({ resourceCredentialProviderName: 'calendar', oauth2Flow: 'USER_FEDERATION', scopes: ['calendar.read'] });
      assert.equal(federated.accessToken, 'cal-token-from-tag');
      assert.equal(federated.authorizationUrl, undefined);
      // The issuers came along, the JWKS file's too; carol's vault token stays hers as a JWT user.
      const carols = async (sdk) => {
        const { workloadAccessToken } = await sdk.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: 'weather-agent',
          userToken: jwt({ sub: 'carol' }) }));
        return (await sdk.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: workloadAccessToken,
          resourceCredentialProviderName: 'github', scopes: ['repo'], oauth2Flow: 'USER_FEDERATION' }))).accessToken;
      };
      const hers = await carols(dp);
      assert.match(hers, /^agentemu_/);
      assert.equal(await carols(odp), hers);
      const { workloadAccessToken: carolById } = await odp.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'weather-agent', userId: 'carol' }));
      const notHers = await odp.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: carolById, resourceCredentialProviderName: 'github',
        scopes: ['repo'], oauth2Flow: 'USER_FEDERATION' }));
      assert.equal(notHers.accessToken, undefined);
      assert.equal(notHers.sessionStatus, 'IN_PROGRESS');
      const fileJwt = jwt({ iss: FILE_ISSUER, sub: 'dan' }, { key: ec.privateKey, alg: 'ES256', kid: 'ec-1' });
      await odp.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: 'weather-agent', userToken: fileJwt }));
    } finally {
      odp.destroy();
      await stopCleanly(other);
    }
  });

  it('M2M with a custom provider whose token endpoint is local asks that endpoint, with the client credentials', async () => {
    const seen = [];
    const idp = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        seen.push({ path: req.url, authorization: req.headers.authorization, type: req.headers['content-type'], body });
        const refused = body.includes('scope=denied');
        res.writeHead(refused ? 401 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(refused ? { error: 'invalid_client' } : { access_token: 'idp-issued-token', token_type: 'Bearer', expires_in: 3600 }));
      });
    });
    await new Promise((resolve) => idp.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${idp.address().port}`;
    try {
      await cp.send(new CreateOauth2CredentialProviderCommand({ name: 'local-idp', credentialProviderVendor: 'CustomOauth2',
        oauth2ProviderConfigInput: { customOauth2ProviderConfig: { clientId: 'agent client', clientSecret: 'idp-client-secret',
          oauthDiscovery: { authorizationServerMetadata: { issuer: base, authorizationEndpoint: `${base}/authorize`,
            tokenEndpoint: `${base}/oauth/token` } } } } }));
      const wat = await watFor('alice');
      const ask = (scopes) => dp.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat,
        resourceCredentialProviderName: 'local-idp', scopes, oauth2Flow: 'M2M' }));
      assert.equal((await ask(['write', 'read'])).accessToken, 'idp-issued-token');
      assert.deepEqual(seen[0], { path: '/oauth/token', type: 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('agent%20client:idp-client-secret').toString('base64')}`,
        body: 'grant_type=client_credentials&scope=read%20write' });
      const refused = await rejection(ask(['denied']));
      assert.equal(refused.name, 'ValidationException');
      assert.equal(refused.$metadata.httpStatusCode, 400);
      assert.deepEqual(seen.map((r) => r.body), ['grant_type=client_credentials&scope=read%20write',
        'grant_type=client_credentials&scope=denied']);
      idp.closeAllConnections();
      await new Promise((resolve) => idp.close(resolve));
      const gone = await rejection(ask(['read']));
      assert.equal(gone.name, 'ValidationException');
    } finally {
      idp.close();
    }
  });

  it('a workload token expires after an hour on the emulator\'s clock', async () => {
    const wat = await watFor('alice');
    await later(3601);
    const e = await rejection(dp.send(new GetResourceApiKeyCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: 'openweather' })));
    assert.equal(e.name, 'AccessDeniedException');
  });

  it('secrets never reach the logs', async () => {
    const logs = emulator.stderr();
    for (const secret of [API_KEY, 'gh-secret-value', 'cal-secret-value', 'gho_fixture_token', 'cal-token-from-tag', 'wat1.',
      'idp-client-secret', 'idp-issued-token']) {
      assert.ok(!logs.includes(secret), `the logs hold ${secret}`);
    }
    assert.ok(logs.length > 0);
  });
});
