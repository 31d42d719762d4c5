// AgentCore over raw HTTP: routing by path and by Host, the restJson1 error envelope on the wire,
// and bad input of every kind answered with the vendor's own errors (never a 500 or the core's
// envelope); --auth lenient accepting any credentials.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { call, rawExchange, startEmulator, stopCleanly } from '../support/emulator.mjs';
import { sign } from '../support/agentcore.mjs';

let emulator;
let host;

before(async () => {
  emulator = await startEmulator();
  host = new URL(emulator.url).host;
});
after(async () => stopCleanly(emulator));

/** A signed request; `path` is raw (already percent-encoded). */
function signed(method, path, { query = '', body = '', headers = {}, ...auth } = {}) {
  const signedHeaders = sign({ method, host, path, query, headers, body, ...auth });
  return call(`${emulator.url}${path}${query ? `?${query}` : ''}`, {
    method, headers: signedHeaders, body: body === '' ? undefined : body,
  });
}

function assertError(response, status, type, { clockOffsetMs = 0 } = {}) {
  assert.equal(response.status, status, response.text);
  assert.equal(response.headers.get('x-amzn-errortype'), type);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assert.match(response.headers.get('x-amzn-requestid'), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const date = Date.parse(response.headers.get('date'));
  assert.ok(Math.abs(date - Date.now() - clockOffsetMs) < 5000, 'the Date header follows the emulator clock');
  assert.equal(typeof response.json.message, 'string');
  assert.ok(!('error' in response.json), 'never the core envelope');
}

const CI = '/code-interpreters/aws.codeinterpreter.v1';

describe('routing', () => {
  it('a bedrock-agentcore Host selects the vendor whatever the path', async () => {
    for (const name of ['bedrock-agentcore.us-west-2.amazonaws.com', 'bedrock-agentcore-fips.us-east-1.amazonaws.com']) {
      const { data } = await rawExchange(emulator.port, `GET /not-a-route HTTP/1.1\r\nHost: ${name}\r\nConnection: close\r\n\r\n`);
      assert.match(data, /^HTTP\/1.1 404 /);
      assert.match(data, /\r\nX-Amzn-ErrorType: UnknownOperationException\r\n/);
      assert.match(data, /\r\nx-amzn-RequestId: [0-9a-f-]{36}\r\n/);
    }
    // The control plane's host is this vendor's too: an unknown path there is AWS-shaped as well.
    const { data } = await rawExchange(emulator.port, 'GET /x HTTP/1.1\r\nHost: bedrock-agentcore-control.us-east-1.amazonaws.com\r\nConnection: close\r\n\r\n');
    assert.match(data, /\r\nX-Amzn-ErrorType: UnknownOperationException\r\n/);
  });

  it('a known path with another method is UnknownOperationException', async () => {
    assertError(await signed('DELETE', `${CI}/sessions/get`), 404, 'UnknownOperationException');
  });

  it('signed raw requests work, the ARN label travelling as one encoded segment', async () => {
    const start = await signed('PUT', `${CI}/sessions/start`, { body: '{"name":"raw"}', headers: { 'content-type': 'application/json' } });
    assert.equal(start.status, 200, start.text);
    assert.match(start.headers.get('x-amzn-requestid'), /^[0-9a-f-]{36}$/);
    const arn = encodeURIComponent('arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/echo_agent-a1b2c3d4e5');
    const invoke = await signed('POST', `/runtimes/${arn}/invocations`, {
      body: 'hello', headers: { 'x-amzn-bedrock-agentcore-runtime-session-id': 'x'.repeat(33) },
    });
    assert.equal(invoke.status, 200, invoke.text);
    assert.equal(invoke.json.payload, 'hello');
    assert.equal(invoke.headers.get('x-amzn-bedrock-agentcore-runtime-session-id'), 'x'.repeat(33));
  });
});

describe('authentication on the wire', () => {
  it('unsigned: 403 MissingAuthenticationTokenException', async () => {
    const response = await call(`${emulator.url}${CI}/sessions/list`, { method: 'POST', body: '{}' });
    assertError(response, 403, 'MissingAuthenticationTokenException');
    assert.equal(response.json.message, 'Missing Authentication Token');
  });

  it('a garbled Authorization header: 400 IncompleteSignatureException', async () => {
    const response = await call(`${emulator.url}${CI}/sessions/list`, { method: 'POST', body: '{}', headers: { authorization: 'Bearer abc' } });
    assertError(response, 400, 'IncompleteSignatureException');
  });

  it('a signature from 16 minutes ago: 403 InvalidSignatureException "Signature expired"', async () => {
    const response = await signed('POST', `${CI}/sessions/list`, { body: '{}', date: new Date(Date.now() - 16 * 60 * 1000) });
    assertError(response, 403, 'InvalidSignatureException');
    assert.match(response.json.message, /^Signature expired: /);
  });

  it('the emulator clock moves the signature window', async () => {
    await call(`${emulator.url}/_emulator/clock`, { method: 'PUT', json: { offsetSeconds: 3600 } });
    try {
      assertError(await signed('POST', `${CI}/sessions/list`, { body: '{}' }), 403, 'InvalidSignatureException',
        { clockOffsetMs: 3600 * 1000 });
      const ok = await signed('POST', `${CI}/sessions/list`, { body: '{}', date: new Date(Date.now() + 3600 * 1000) });
      assert.equal(ok.status, 200, ok.text);
    } finally {
      await call(`${emulator.url}/_emulator/clock`, { method: 'PUT', json: { offsetSeconds: 0 } });
    }
  });

  it('unknown key and wrong secret', async () => {
    assertError(await signed('POST', `${CI}/sessions/list`, { body: '{}', accessKeyId: 'nobody' }), 403, 'UnrecognizedClientException');
    assertError(await signed('POST', `${CI}/sessions/list`, { body: '{}', secretAccessKey: 'wrong' }), 403, 'InvalidSignatureException');
  });
});

describe('bad input', () => {
  const bad = async (method, path, { body = '', query = '' } = {}) => signed(method, path, { body, query });

  it('malformed JSON and non-object bodies: ValidationException reason CannotParse', async () => {
    for (const body of ['{"name":', 'null', '[]', '"x"', '{"a":1}{']) {
      const response = await bad('PUT', `${CI}/sessions/start`, { body });
      assertError(response, 400, 'ValidationException');
      assert.equal(response.json.reason, 'CannotParse', body);
    }
  });

  it('wrong types, enums, lengths and patterns: ValidationException with fieldList', async () => {
    const cases = [
      ['PUT', `${CI}/sessions/start`, '{"sessionTimeoutSeconds":"x"}', 'sessionTimeoutSeconds'],
      ['PUT', `${CI}/sessions/start`, '{"sessionTimeoutSeconds":1.5}', 'sessionTimeoutSeconds'],
      ['PUT', `${CI}/sessions/start`, `{"name":"${'n'.repeat(101)}"}`, 'name'],
      ['PUT', `${CI}/sessions/start`, '{"certificates":"x"}', 'certificates'],
      ['POST', `${CI}/sessions/list`, '{"status":"RUNNING"}', 'status'],
      ['POST', `${CI}/sessions/list`, '{"maxResults":0}', 'maxResults'],
      ['POST', `${CI}/sessions/list`, '{"nextToken":"a b"}', 'nextToken'],
      ['POST', `${CI}/sessions/list`, `{"nextToken":"${'a'.repeat(2049)}"}`, 'nextToken'],
      ['PUT', '/browsers/aws.browser.v1/sessions/start', '{"viewPort":{"width":4000,"height":700}}', 'viewPort.width'],
      ['PUT', '/browsers/aws.browser.v1/sessions/start', '{"extensions":[{"location":{"s3":{"bucket":"Bad_Bucket","prefix":"p"}}}]}', 'extensions[0].location.s3.bucket'],
      ['PUT', '/browsers/aws.browser.v1/sessions/start', '{"proxyConfiguration":{"proxies":[{"externalProxy":{"server":"p.example.com","port":70000}}]}}', 'proxyConfiguration.proxies[0].externalProxy.port'],
      ['PUT', '/code-interpreters//sessions/start', '{}', 'codeInterpreterIdentifier'],
      ['POST', '/runtimes/arn%3Aaws%3Awrong/invocations', 'x', 'agentRuntimeArn'],
    ];
    for (const [method, path, body, field] of cases) {
      const response = await bad(method, path, { body });
      assertError(response, 400, 'ValidationException');
      assert.equal(response.json.reason, 'FieldValidationFailed', `${path} ${body}`);
      assert.equal(response.json.fieldList[0].name, field, `${path} ${body}`);
      assert.match(response.json.message, /^1 validation error detected: Value /);
    }
  });

  it('bad query and label encodings', async () => {
    const query = await bad('GET', `${CI}/sessions/get`, { query: 'sessionId=%zz' });
    assertError(query, 400, 'ValidationException');
    const label = await signed('GET', '/code-interpreters/%zz/sessions/get', { query: 'sessionId=abc' });
    assertError(label, 400, 'ValidationException');
  });

  it('a truncated body never crashes the server', async () => {
    const result = await rawExchange(emulator.port,
      `PUT ${CI}/sessions/start HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 50\r\n\r\n{"name":`, { idleMs: 300, halfClose: true });
    assert.ok(!result.data.includes(' 500 '));
    const health = await call(`${emulator.url}/_emulator/health`);
    assert.equal(health.status, 200);
  });
});

describe('--auth lenient', () => {
  it('accepts any credentials, or none', async () => {
    const lenient = await startEmulator({ args: ['--auth', 'lenient'] });
    try {
      const unsigned = await call(`${lenient.url}${CI}/sessions/start`, { method: 'PUT', body: '{}' });
      assert.equal(unsigned.status, 200, unsigned.text);
      const stranger = sign({ method: 'PUT', host: new URL(lenient.url).host, path: `${CI}/sessions/start`, body: '{}', accessKeyId: 'anyone', secretAccessKey: 'anything' });
      const response = await call(`${lenient.url}${CI}/sessions/start`, { method: 'PUT', headers: stranger, body: '{}' });
      assert.equal(response.status, 200, response.text);
    } finally {
      await stopCleanly(lenient);
    }
  });
});
