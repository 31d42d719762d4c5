// @aws-sdk/client-bedrock-agentcore against agentemu (default fixtures, --auth strict): every
// operation's happy path, every error by the name the SDK gives it, the InvokeCodeInterpreter
// event stream decoded by the SDK, idempotency and tenancy as the SDK sees them. The code
// interpreter here is the deterministic echo (--code-interpreter echo); agentcore-exec.test.mjs
// runs code for real.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  GetBrowserSessionCommand, GetCodeInterpreterSessionCommand, InvokeAgentRuntimeCommand, InvokeCodeInterpreterCommand,
  ListBrowserSessionsCommand, ListCodeInterpreterSessionsCommand, StartBrowserSessionCommand,
  StartCodeInterpreterSessionCommand, StopBrowserSessionCommand, StopCodeInterpreterSessionCommand,
  StopRuntimeSessionCommand, UpdateBrowserStreamCommand,
} from '@aws-sdk/client-bedrock-agentcore';
import { call, startEmulator, stopCleanly } from '../support/emulator.mjs';
import { BROWSER, CODE_INTERPRETER, RUNTIME_ARN, client, rejection, runtimeSessionId } from '../support/agentcore.mjs';

let emulator;
let sdk;

before(async () => {
  emulator = await startEmulator({ args: ['--code-interpreter', 'echo'] });
  sdk = client(emulator.url);
});
after(async () => {
  sdk?.destroy();
  await stopCleanly(emulator);
});

const admin = (path, init) => call(`${emulator.url}/_emulator/${path}`, init);

async function startCodeSession(extra = {}) {
  const out = await sdk.send(new StartCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, ...extra }));
  return out.sessionId;
}

async function collect(stream) {
  const events = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe('runtime operations', () => {
  it('InvokeAgentRuntime echoes the JSON payload and the session header, and reuses the session', async () => {
    const session = runtimeSessionId('invoke');
    const first = await sdk.send(new InvokeAgentRuntimeCommand({
      agentRuntimeArn: RUNTIME_ARN, runtimeSessionId: session, contentType: 'application/json',
      payload: Buffer.from(JSON.stringify({ prompt: 'hello' })),
    }));
    assert.equal(first.$metadata.httpStatusCode, 200);
    assert.equal(first.runtimeSessionId, session);
    assert.equal(first.contentType, 'application/json');
    assert.equal(first.statusCode, 200);
    const body = JSON.parse(await first.response.transformToString());
    assert.deepEqual(body.payload, { prompt: 'hello' });
    assert.equal(body.invocation, 1);
    assert.equal(body.agentRuntimeArn, RUNTIME_ARN);
    assert.match(first.$metadata.requestId, /^[0-9a-f-]{36}$/);

    const second = await sdk.send(new InvokeAgentRuntimeCommand({
      agentRuntimeArn: RUNTIME_ARN, runtimeSessionId: session, qualifier: 'prod', payload: Buffer.from('plain text'),
    }));
    const echoed = JSON.parse(await second.response.transformToString());
    assert.equal(echoed.invocation, 2);
    assert.equal(echoed.qualifier, 'prod');
    assert.equal(echoed.payload, 'plain text');
  });

  it('InvokeAgentRuntime streams text/event-stream when Accept asks, and fills a session id', async () => {
    const out = await sdk.send(new InvokeAgentRuntimeCommand({
      agentRuntimeArn: RUNTIME_ARN, accept: 'text/event-stream', contentType: 'application/json',
      payload: Buffer.from('{"q":1}'),
    }));
    assert.equal(out.contentType, 'text/event-stream');
    assert.match(out.runtimeSessionId, /^[0-9a-f-]{36}$/); // the SDK's idempotency-token UUID, echoed
    const text = await out.response.transformToString();
    assert.match(text, /^data: \{.*\}\n\n$/s);
    assert.deepEqual(JSON.parse(text.slice(6)).payload, { q: 1 });
  });

  it('InvokeAgentRuntime accepts an agent id with accountId', async () => {
    const out = await sdk.send(new InvokeAgentRuntimeCommand({
      agentRuntimeArn: 'echo_agent-a1b2c3d4e5', accountId: '123456789012', payload: Buffer.from('x'),
    }));
    assert.equal(out.$metadata.httpStatusCode, 200);
  });

  it('StopRuntimeSession stops, replays its clientToken and then finds nothing', async () => {
    const session = runtimeSessionId('stop');
    await sdk.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: RUNTIME_ARN, runtimeSessionId: session, payload: Buffer.from('{}') }));
    const clientToken = `tok-${'1'.repeat(32)}`;
    const stopped = await sdk.send(new StopRuntimeSessionCommand({ agentRuntimeArn: RUNTIME_ARN, runtimeSessionId: session, clientToken }));
    assert.equal(stopped.runtimeSessionId, session);
    assert.equal(stopped.statusCode, 200);
    const replayed = await sdk.send(new StopRuntimeSessionCommand({ agentRuntimeArn: RUNTIME_ARN, runtimeSessionId: session, clientToken }));
    assert.equal(replayed.runtimeSessionId, session);
    const again = await rejection(sdk.send(new StopRuntimeSessionCommand({ agentRuntimeArn: RUNTIME_ARN, runtimeSessionId: session })));
    assert.equal(again.name, 'ResourceNotFoundException');
    assert.equal(again.$metadata.httpStatusCode, 404);
  });

  it('unknown runtimes, qualifiers and sessions are ResourceNotFoundException; missing header is ValidationException', async () => {
    const unknown = await rejection(sdk.send(new InvokeAgentRuntimeCommand({
      agentRuntimeArn: 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/nothing-0123456789', payload: Buffer.from('x'),
    })));
    assert.equal(unknown.name, 'ResourceNotFoundException');
    const qualifier = await rejection(sdk.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: RUNTIME_ARN, qualifier: 'nope', payload: Buffer.from('x') })));
    assert.equal(qualifier.name, 'ResourceNotFoundException');
    const session = await rejection(sdk.send(new StopRuntimeSessionCommand({ agentRuntimeArn: RUNTIME_ARN, runtimeSessionId: runtimeSessionId('never') })));
    assert.equal(session.name, 'ResourceNotFoundException');
    const header = await rejection(sdk.send(new StopRuntimeSessionCommand({ agentRuntimeArn: RUNTIME_ARN })));
    assert.equal(header.name, 'ValidationException');
    assert.equal(header.reason, 'FieldValidationFailed');
    assert.deepEqual(header.fieldList.map((f) => f.name), ['runtimeSessionId']);
    const arn = await rejection(sdk.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: 'arn:aws:nope', payload: Buffer.from('x') })));
    assert.equal(arn.name, 'ValidationException');
    assert.equal(arn.fieldList[0].name, 'agentRuntimeArn');
  });

  it('a runtime of another account is AccessDeniedException', async () => {
    const denied = await rejection(sdk.send(new InvokeAgentRuntimeCommand({
      agentRuntimeArn: 'arn:aws:bedrock-agentcore:us-east-1:999999999999:runtime/echo_agent-a1b2c3d4e5', payload: Buffer.from('x'),
    })));
    assert.equal(denied.name, 'AccessDeniedException');
    assert.equal(denied.$metadata.httpStatusCode, 403);
  });
});

describe('code-interpreter operations', () => {
  it('Start, Get, List, Stop with RFC 3339 dates the SDK parses', async () => {
    const started = await sdk.send(new StartCodeInterpreterSessionCommand({
      codeInterpreterIdentifier: CODE_INTERPRETER, name: 'contract', sessionTimeoutSeconds: 120,
    }));
    assert.match(started.sessionId, /^[0-9a-zA-Z]{1,40}$/);
    assert.ok(started.createdAt instanceof Date);
    assert.equal(started.codeInterpreterIdentifier, CODE_INTERPRETER);

    const got = await sdk.send(new GetCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, sessionId: started.sessionId }));
    assert.equal(got.status, 'READY');
    assert.equal(got.name, 'contract');
    assert.equal(got.sessionTimeoutSeconds, 120);
    assert.equal(got.createdAt.getTime(), started.createdAt.getTime());

    const listed = await sdk.send(new ListCodeInterpreterSessionsCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, status: 'READY' }));
    assert.ok(listed.items.some((s) => s.sessionId === started.sessionId && s.status === 'READY' && s.lastUpdatedAt instanceof Date));

    const stopped = await sdk.send(new StopCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, sessionId: started.sessionId }));
    assert.ok(stopped.lastUpdatedAt instanceof Date);
    const after = await sdk.send(new GetCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, sessionId: started.sessionId }));
    assert.equal(after.status, 'TERMINATED');

    const conflict = await rejection(sdk.send(new StopCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, sessionId: started.sessionId })));
    assert.equal(conflict.name, 'ConflictException');
    assert.equal(conflict.$metadata.httpStatusCode, 409);
  });

  it('List pages with maxResults and nextToken', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await startCodeSession({ name: `page-${i}` }));
    const seen = [];
    let nextToken;
    do {
      const page = await sdk.send(new ListCodeInterpreterSessionsCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, maxResults: 1, nextToken }));
      assert.ok(page.items.length <= 1);
      seen.push(...page.items.map((s) => s.sessionId));
      nextToken = page.nextToken;
    } while (nextToken);
    for (const id of ids) assert.ok(seen.includes(id));
    assert.equal(new Set(seen).size, seen.length);
  });

  it('sessions expire by sessionTimeoutSeconds on the emulator clock', async () => {
    const id = await startCodeSession({ sessionTimeoutSeconds: 30 });
    await admin('clock', { method: 'PUT', json: { offsetSeconds: 31 } });
    try {
      const got = await sdk.send(new GetCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, sessionId: id }));
      assert.equal(got.status, 'TERMINATED');
    } finally {
      await admin('clock', { method: 'PUT', json: { offsetSeconds: 0 } });
    }
  });

  it('InvokeCodeInterpreter: the SDK decodes result events from the event stream', async () => {
    const sessionId = await startCodeSession();
    const invoke = (name, args) => sdk.send(new InvokeCodeInterpreterCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, sessionId, name, arguments: args }));

    const code = await invoke('executeCode', { code: 'print("hi")', language: 'python' });
    assert.equal(code.sessionId, sessionId);
    const [event] = await collect(code.stream);
    assert.equal(event.result.structuredContent.stdout, 'print("hi")\n');
    assert.equal(event.result.structuredContent.exitCode, 0);
    assert.equal(event.result.isError, false);
    assert.deepEqual(event.result.content, [{ type: 'text', text: 'print("hi")\n' }]);

    await collect((await invoke('writeFiles', { content: [{ path: 'notes.txt', text: 'note' }, { path: 'bin/x', blob: new Uint8Array([255, 0, 1]) }] })).stream);
    const [read] = await collect((await invoke('readFiles', { paths: ['notes.txt', 'bin/x'] })).stream);
    assert.equal(read.result.content[0].resource.text, 'note');
    assert.deepEqual([...read.result.content[1].resource.blob], [255, 0, 1]);
    const [listed] = await collect((await invoke('listFiles', { directoryPath: '' })).stream);
    assert.deepEqual(listed.result.content.map((c) => c.name), ['bin', 'notes.txt']);
    assert.equal(listed.result.content[1].size, 4);
    const [shell] = await collect((await invoke('executeCommand', { command: 'ls bin' })).stream);
    assert.equal(shell.result.structuredContent.stdout, 'x\n');
    await collect((await invoke('removeFiles', { paths: ['bin'] })).stream);
    const [relisted] = await collect((await invoke('listFiles', {})).stream);
    assert.deepEqual(relisted.result.content.map((c) => c.name), ['notes.txt']);
  });

  it('InvokeCodeInterpreter: exception events are thrown by name', async () => {
    const sessionId = await startCodeSession();
    const bad = await rejection(sdk.send(new InvokeCodeInterpreterCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, sessionId, name: 'executeCode', arguments: {} })));
    assert.equal(bad.name, 'ValidationException');
    assert.equal(bad.reason, 'FieldValidationFailed');
    assert.equal(bad.fieldList[0].name, 'arguments.code');
    const gone = await rejection(sdk.send(new InvokeCodeInterpreterCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, sessionId: 'NOSUCHSESSION', name: 'executeCode', arguments: { code: '1' } })));
    assert.equal(gone.name, 'ResourceNotFoundException');
  });

  it('validation errors carry reason and fieldList', async () => {
    const timeout = await rejection(sdk.send(new StartCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, sessionTimeoutSeconds: 28801 })));
    assert.equal(timeout.name, 'ValidationException');
    assert.equal(timeout.$fault, 'client');
    assert.equal(timeout.$metadata.httpStatusCode, 400);
    assert.deepEqual(timeout.fieldList, [{ name: 'sessionTimeoutSeconds', message: 'Member must have value less than or equal to 28800' }]);
    const id = await rejection(sdk.send(new GetCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, sessionId: 'not-valid' })));
    assert.equal(id.fieldList[0].name, 'sessionId');
    const token = await rejection(sdk.send(new StartCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, clientToken: 'tok' })));
    assert.equal(token.fieldList[0].name, 'clientToken');
    const missing = await rejection(sdk.send(new GetCodeInterpreterSessionCommand({ codeInterpreterIdentifier: 'nope', sessionId: 'ABC' })));
    assert.equal(missing.name, 'ResourceNotFoundException');
  });

  it('idempotency: same clientToken same result; different parameters IdempotentParameterMismatchException', async () => {
    const clientToken = `idem-${Date.now()}-${'0'.repeat(24)}`;
    const a = await sdk.send(new StartCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, name: 'same', clientToken }));
    const b = await sdk.send(new StartCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, name: 'same', clientToken }));
    assert.equal(b.sessionId, a.sessionId);
    assert.equal(b.createdAt.getTime(), a.createdAt.getTime());
    const c = await rejection(sdk.send(new StartCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, name: 'other', clientToken })));
    assert.equal(c.name, 'ValidationException');
    assert.equal(c.reason, 'IdempotentParameterMismatchException');
    const stopToken = `stop-${Date.now()}-${'0'.repeat(24)}`;
    const s1 = await sdk.send(new StopCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, sessionId: a.sessionId, clientToken: stopToken }));
    const s2 = await sdk.send(new StopCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, sessionId: a.sessionId, clientToken: stopToken }));
    assert.equal(s2.lastUpdatedAt.getTime(), s1.lastUpdatedAt.getTime());
  });
});

describe('browser operations', () => {
  it('Start, Get, List, UpdateBrowserStream, Stop', async () => {
    const started = await sdk.send(new StartBrowserSessionCommand({
      browserIdentifier: BROWSER, name: 'web', viewPort: { width: 1280, height: 720 },
    }));
    assert.match(started.sessionId, /^[0-9a-zA-Z]{1,40}$/);
    assert.equal(started.streams.automationStream.streamStatus, 'ENABLED');
    assert.match(started.streams.automationStream.streamEndpoint, /^wss:\/\//);
    assert.match(started.streams.liveViewStream.streamEndpoint, /^https:\/\//);

    const updated = await sdk.send(new UpdateBrowserStreamCommand({
      browserIdentifier: BROWSER, sessionId: started.sessionId, streamUpdate: { automationStreamUpdate: { streamStatus: 'DISABLED' } },
    }));
    assert.equal(updated.streams.automationStream.streamStatus, 'DISABLED');
    assert.ok(updated.updatedAt instanceof Date);

    const got = await sdk.send(new GetBrowserSessionCommand({ browserIdentifier: BROWSER, sessionId: started.sessionId }));
    assert.equal(got.status, 'READY');
    assert.deepEqual(got.viewPort, { width: 1280, height: 720 });
    assert.equal(got.sessionTimeoutSeconds, 3600);
    assert.equal(got.streams.automationStream.streamStatus, 'DISABLED');

    const listed = await sdk.send(new ListBrowserSessionsCommand({ browserIdentifier: BROWSER, maxResults: 5, status: 'READY' }));
    assert.ok(listed.items.some((s) => s.sessionId === started.sessionId));

    const stopped = await sdk.send(new StopBrowserSessionCommand({ browserIdentifier: BROWSER, sessionId: started.sessionId }));
    assert.equal(stopped.sessionId, started.sessionId);
    const terminated = await sdk.send(new ListBrowserSessionsCommand({ browserIdentifier: BROWSER, status: 'TERMINATED' }));
    assert.ok(terminated.items.some((s) => s.sessionId === started.sessionId));
    const conflict = await rejection(sdk.send(new UpdateBrowserStreamCommand({
      browserIdentifier: BROWSER, sessionId: started.sessionId, streamUpdate: { automationStreamUpdate: { streamStatus: 'ENABLED' } },
    })));
    assert.equal(conflict.name, 'ConflictException');
  });

  it('nested validation names the member path', async () => {
    const error = await rejection(sdk.send(new StartBrowserSessionCommand({ browserIdentifier: BROWSER, viewPort: { width: 100, height: 720 } })));
    assert.equal(error.name, 'ValidationException');
    assert.equal(error.fieldList[0].name, 'viewPort.width');
  });
});

describe('tenancy', () => {
  it('two accounts never see each other\'s sessions', async () => {
    await admin('state', { method: 'POST', json: { agentcore: { credentials: [{ accessKeyId: 'tenant-b', secretAccessKey: 'secret-b', accountId: '210987654321' }] } } });
    const other = client(emulator.url, { credentials: { accessKeyId: 'tenant-b', secretAccessKey: 'secret-b' } });
    try {
      const mine = await startCodeSession();
      const error = await rejection(other.send(new GetCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, sessionId: mine })));
      assert.equal(error.name, 'ResourceNotFoundException');
      const theirs = await other.send(new StartCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER }));
      const list = await sdk.send(new ListCodeInterpreterSessionsCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, maxResults: 100 }));
      assert.ok(!list.items.some((s) => s.sessionId === theirs.sessionId));
      const otherRegion = client(emulator.url, { region: 'eu-west-1' });
      const elsewhere = await rejection(otherRegion.send(new GetCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, sessionId: mine })));
      assert.equal(elsewhere.name, 'ResourceNotFoundException');
      otherRegion.destroy();
    } finally {
      other.destroy();
    }
  });
});

describe('SigV4', () => {
  it('unknown access key: UnrecognizedClientException', async () => {
    const stranger = client(emulator.url, { credentials: { accessKeyId: 'nobody', secretAccessKey: 'x' } });
    const error = await rejection(stranger.send(new ListCodeInterpreterSessionsCommand({ codeInterpreterIdentifier: CODE_INTERPRETER })));
    assert.equal(error.name, 'UnrecognizedClientException');
    assert.equal(error.message, 'The security token included in the request is invalid.');
    assert.equal(error.$metadata.httpStatusCode, 403);
    stranger.destroy();
  });

  it('wrong secret: InvalidSignatureException', async () => {
    const wrong = client(emulator.url, { credentials: { accessKeyId: 'test', secretAccessKey: 'not-test' } });
    const error = await rejection(wrong.send(new ListCodeInterpreterSessionsCommand({ codeInterpreterIdentifier: CODE_INTERPRETER })));
    assert.equal(error.name, 'InvalidSignatureException');
    assert.match(error.message, /^The request signature we calculated does not match/);
    assert.equal(error.$metadata.httpStatusCode, 403);
    wrong.destroy();
  });

  it('no Authorization: MissingAuthenticationTokenException', async () => {
    const bare = client(emulator.url);
    bare.middlewareStack.addRelativeTo((next) => (args) => {
      delete args.request.headers.authorization;
      return next(args);
    }, { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'dropAuthorization' });
    const error = await rejection(bare.send(new ListCodeInterpreterSessionsCommand({ codeInterpreterIdentifier: CODE_INTERPRETER })));
    assert.equal(error.name, 'MissingAuthenticationTokenException');
    assert.equal(error.message, 'Missing Authentication Token');
    bare.destroy();
  });

  it('expired signature: InvalidSignatureException "Signature expired", then the SDK corrects its clock', async () => {
    const late = client(emulator.url, { systemClockOffset: -20 * 60 * 1000, maxAttempts: 1 });
    const error = await rejection(late.send(new ListCodeInterpreterSessionsCommand({ codeInterpreterIdentifier: CODE_INTERPRETER })));
    assert.equal(error.name, 'InvalidSignatureException');
    assert.match(error.message, /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
    late.destroy();
    // With retries, the accurate Date header lets the SDK fix its skew and succeed.
    const skewed = client(emulator.url, { systemClockOffset: -20 * 60 * 1000 });
    const out = await skewed.send(new ListCodeInterpreterSessionsCommand({ codeInterpreterIdentifier: CODE_INTERPRETER }));
    assert.equal(out.$metadata.attempts, 2);
    skewed.destroy();
  });
});
