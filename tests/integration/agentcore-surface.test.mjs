// AgentCore's whole surface over raw HTTP: requests that are AgentCore's by their signature or
// Host whatever the path, every operation listed by GET /_emulator/operations, the per-operation
// body limit (InvokeAgentRuntime takes the model's 100,000,000 bytes; past it, or past the bound
// on large bodies at once, an AWS-shaped error), and SigV4 presigned, Date-signed and
// region-checked requests.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { call, rawExchange, startEmulator, stopCleanly } from '../support/emulator.mjs';
import { RUNTIME_ARN, sign } from '../support/agentcore.mjs';

let emulator;
let host;

before(async () => {
  emulator = await startEmulator();
  host = new URL(emulator.url).host;
});
after(async () => stopCleanly(emulator));

const CI = '/code-interpreters/aws.codeinterpreter.v1';
const ARN_PATH = `/runtimes/${encodeURIComponent(RUNTIME_ARN)}/invocations`;

function headerOf(data, name) {
  const m = new RegExp(`\\r\\n${name}: ([^\\r]*)\\r\\n`, 'i').exec(data);
  return m ? m[1] : undefined;
}

/** A raw request with the given headers, answered as text. */
async function raw(method, path, headers, body = '') {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n');
  const { data } = await rawExchange(emulator.port,
    `${method} ${path} HTTP/1.1\r\n${lines}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  return data;
}

describe('routing: AgentCore whatever the path', () => {
  it('an unsigned call to a data-plane path of the model answers in the AWS shape', async () => {
    const r = await call(`${emulator.url}/memories/m1/events`, { method: 'POST', body: '{}' });
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
  });

  it('a request signed for bedrock-agentcore is AgentCore\'s even at another vendor\'s path', async () => {
    const headers = sign({ method: 'GET', host, path: '/agents' });
    const r = await call(`${emulator.url}/agents`, { headers });
    assert.equal(r.status, 404);
    assert.equal(r.headers.get('x-amzn-errortype'), 'UnknownOperationException');
  });

  it('a real operation that is not emulated answers 501 naming it', async () => {
    const route = '/identities/payment/token';
    const headers = sign({ method: 'POST', host, path: route, body: '{}' });
    const r = await call(`${emulator.url}${route}`, { method: 'POST', headers, body: '{}' });
    assert.equal(r.status, 400, r.text);  // the model's constraints first: workloadIdentityToken is required
    const body = JSON.stringify({ workloadIdentityToken: 'wat', resourceCredentialProviderName: 'pay',
      paymentTokenRequest: { stripePrivyTokenRequest: { requestPath: '/v1/wallets', requestBody: '{}' } } });
    const signed = sign({ method: 'POST', host, path: route, body });
    const r2 = await call(`${emulator.url}${route}`, { method: 'POST', headers: signed, body });
    assert.equal(r2.status, 501, r2.text);
    assert.equal(r2.headers.get('x-amzn-errortype'), 'NotImplementedException');
    assert.match(r2.json.message, /GetResourcePaymentToken/);
  });

  it('GET /_emulator/operations lists both planes, each operation with its route and whether it is emulated', async () => {
    const { json } = await call(`${emulator.url}/_emulator/operations?vendor=agentcore`);
    assert.equal(json.operations.length, 238);
    const planes = new Set(json.operations.map((o) => o.plane));
    assert.deepEqual([...planes].sort(), ['control', 'data']);
    const create = json.operations.find((o) => o.operation === 'CreateAgentRuntime');
    assert.equal(create.method, 'PUT');
    assert.equal(create.route, '/runtimes/');
    assert.equal(create.emulated, true);
    const name = create.parameters.find((p) => p.name === 'agentRuntimeName');
    assert.equal(name.pattern, '^[a-zA-Z][a-zA-Z0-9_]{0,47}$');
    assert.equal(name.required, true);
    assert.equal(json.operations.find((o) => o.operation === 'CreateGateway').emulated, false);
  });
});

describe('body limits per operation', () => {
  it('InvokeAgentRuntime takes a payload beyond the server\'s 8 MiB', async () => {
    const payload = 'x'.repeat(9 * 1024 * 1024);
    const headers = sign({ method: 'POST', host, path: ARN_PATH, body: payload,
      headers: { 'content-type': 'text/plain', 'x-amzn-bedrock-agentcore-runtime-session-id': 's'.repeat(33) } });
    const r = await call(`${emulator.url}${ARN_PATH}`, { method: 'POST', headers, body: payload });
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.equal(r.json.payload.length, payload.length);
  });

  it('past the model\'s 100,000,000 bytes the answer is ValidationException, not the core\'s 413', async () => {
    const { data } = await rawExchange(emulator.port,
      `POST ${ARN_PATH} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 100000001\r\n\r\n`);
    assert.match(data, /^HTTP\/1.1 400 /);
    assert.equal(headerOf(data, 'X-Amzn-ErrorType'), 'ValidationException');
    assert.match(data, /Member must have length less than or equal to 100000000/);
    // Other operations keep the server's limit, in their vendor's shape too.
    const other = await rawExchange(emulator.port,
      `PUT ${CI}/sessions/start HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 9000000\r\n\r\n`);
    assert.match(other.data, /^HTTP\/1.1 400 /);
    assert.equal(headerOf(other.data, 'X-Amzn-ErrorType'), 'ValidationException');
  });

  it('large bodies at once are bounded: past the budget, ThrottlingException', async () => {
    const net = await import('node:net');
    const open = [];
    for (let i = 0; i < 2; ++i) {
      const s = net.connect(emulator.port, '127.0.0.1');
      await new Promise((resolve) => s.on('connect', resolve));
      s.write(`POST ${ARN_PATH} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 100000000\r\n\r\n`);
      open.push(s);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { data } = await rawExchange(emulator.port,
      `POST ${ARN_PATH} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 100000000\r\n\r\n`);
    assert.match(data, /^HTTP\/1.1 429 /);
    assert.equal(headerOf(data, 'X-Amzn-ErrorType'), 'ThrottlingException');
    for (const s of open) s.destroy();
  });
});

describe('SigV4, complete', () => {
  const signer = new SignatureV4({
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, region: 'us-east-1', service: 'bedrock-agentcore',
    sha256: Sha256,
  });

  async function presigned(expiresIn, signingDate = new Date()) {
    const [hostname, port] = host.split(':');
    const request = await signer.presign({
      method: 'GET', protocol: 'http:', hostname, port: Number(port), path: `${CI}/sessions/get`,
      query: { sessionId: 'NOSUCHSESSION' }, headers: { host },
    }, { expiresIn, signingDate });
    const query = Object.entries(request.query).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
    return `${emulator.url}${request.path}?${query}`;
  }

  it('a presigned request (the SDK presigner\'s) is accepted until X-Amz-Expires passes', async () => {
    const ok = await call(await presigned(300));
    assert.equal(ok.status, 404, ok.text);  // signed right: the session is what is missing
    assert.equal(ok.headers.get('x-amzn-errortype'), 'ResourceNotFoundException');
    const expired = await call(await presigned(60, new Date(Date.now() - 120_000)));
    assert.equal(expired.status, 403);
    assert.equal(expired.headers.get('x-amzn-errortype'), 'InvalidSignatureException');
    assert.match(expired.json.message, /^Signature expired/);
  });

  it('a request signed over the Date header, with no X-Amz-Date, is accepted', async () => {
    const date = new Date();
    const amzDate = date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    // The helper always signs x-amz-date; compute the canonical form without it instead.
    const { default: crypto } = await import('node:crypto');
    const hmac = (k, d) => crypto.createHmac('sha256', k).update(d).digest();
    const sha = (d) => crypto.createHash('sha256').update(d).digest('hex');
    const names = ['date', 'host', 'x-amz-content-sha256'];
    const values = { date: date.toUTCString(), host, 'x-amz-content-sha256': sha('') };
    const canonical = ['GET', `${CI}/sessions/get`, 'sessionId=NOSUCH', names.map((n) => `${n}:${values[n]}\n`).join(''),
      names.join(';'), sha('')].join('\n');
    const scope = `${amzDate.slice(0, 8)}/us-east-1/bedrock-agentcore/aws4_request`;
    const sts = ['AWS4-HMAC-SHA256', amzDate, scope, sha(canonical)].join('\n');
    const key = hmac(hmac(hmac(hmac('AWS4test', amzDate.slice(0, 8)), 'us-east-1'), 'bedrock-agentcore'), 'aws4_request');
    const authorization = `AWS4-HMAC-SHA256 Credential=test/${scope}, SignedHeaders=${names.join(';')}, Signature=${hmac(key, sts).toString('hex')}`;
    const data = await raw('GET', `${CI}/sessions/get?sessionId=NOSUCH`, { ...values, authorization });
    assert.match(data, /^HTTP\/1.1 404 /, data);
    assert.equal(headerOf(data, 'X-Amzn-ErrorType'), 'ResourceNotFoundException');
  });

  it('a credential scope whose region is not the Host\'s is InvalidSignatureException', async () => {
    const awsHost = 'bedrock-agentcore.eu-west-1.amazonaws.com';
    const headers = sign({ method: 'PUT', host: awsHost, path: `${CI}/sessions/start`, body: '{}', region: 'us-east-1' });
    const data = await raw('PUT', `${CI}/sessions/start`, headers, '{}');
    assert.match(data, /^HTTP\/1.1 403 /);
    assert.equal(headerOf(data, 'X-Amzn-ErrorType'), 'InvalidSignatureException');
    assert.match(data, /Credential should be scoped to a valid region, not 'us-east-1'/);
    const right = sign({ method: 'PUT', host: awsHost, path: `${CI}/sessions/start`, body: '{}', region: 'eu-west-1' });
    assert.match(await raw('PUT', `${CI}/sessions/start`, right, '{}'), /^HTTP\/1.1 200 /);
  });

  it('an unknown access key says which keys the fixtures define and that --auth lenient exists', async () => {
    const headers = sign({ method: 'GET', host, path: `${CI}/sessions/get`, query: 'sessionId=X', accessKeyId: 'tset' });
    const r = await call(`${emulator.url}${CI}/sessions/get?sessionId=X`, { headers });
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('x-amzn-errortype'), 'UnrecognizedClientException');
    assert.equal(r.json.message, 'The security token included in the request is invalid.');
    const diagnostic = r.headers.get('x-agentemu-diagnostic');
    assert.match(diagnostic, /tset/);
    assert.match(diagnostic, /\btest\b/);
    assert.match(diagnostic, /--auth lenient/);
  });
});
