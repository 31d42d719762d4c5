// The shipped AgentCore scenario files, loaded with --scenarios exactly as a user would, behave
// as their comments say with the real SDK; and every modeled error a scenario can script reaches
// the SDK under its own name and status.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  GetCodeInterpreterSessionCommand, InvokeAgentRuntimeCommand, StartCodeInterpreterSessionCommand, StopRuntimeSessionCommand,
} from '@aws-sdk/client-bedrock-agentcore';
import { call, sourceDir, startEmulator, stopCleanly } from '../support/emulator.mjs';
import { CODE_INTERPRETER, RUNTIME_ARN, client, rejection, runtimeSessionId } from '../support/agentcore.mjs';

const THROTTLING = path.join(sourceDir, 'scenarios/agentcore-throttling-then-recovery.json');
const STOP_LOST = path.join(sourceDir, 'scenarios/agentcore-stop-response-lost.json');

let emulator;
let sdk;

before(async () => {
  emulator = await startEmulator({ args: ['--scenarios', THROTTLING, '--scenarios', STOP_LOST] });
  sdk = client(emulator.url);
});
after(async () => {
  sdk?.destroy();
  await stopCleanly(emulator);
});

const admin = (p, init) => call(`${emulator.url}/_emulator/${p}`, init);
const journal = async (operation) =>
  (await admin(`requests?vendor=agentcore&operation=${operation}`)).json.requests;

describe('shipped scenario files', () => {
  it('both files load', async () => {
    const listed = await admin('scenarios');
    assert.equal(listed.status, 200);
    const names = JSON.stringify(listed.json);
    assert.match(names, /agentcore-throttling-then-recovery/);
    assert.match(names, /agentcore-stop-response-lost/);
  });

  it('throttling-then-recovery: two 429 ThrottlingException, the SDK retries, the third attempt succeeds', async () => {
    const { sessionId } = await sdk.send(new StartCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER }));
    const out = await sdk.send(new GetCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, sessionId }));
    assert.equal(out.status, 'READY');
    assert.equal(out.$metadata.attempts, 3);
    const calls = await journal('GetCodeInterpreterSession');
    assert.deepEqual(calls.map((c) => c.status), [429, 429, 200]);
    assert.deepEqual(calls.map((c) => c.errorCode), ['ThrottlingException', 'ThrottlingException', null]);
    assert.equal(calls[0].scenario.name, 'agentcore-throttling-then-recovery');
    // Later calls pass straight through.
    const again = await sdk.send(new GetCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, sessionId }));
    assert.equal(again.$metadata.attempts, 1);
  });

  it('stop-response-lost: the stop runs, its answer is reset, the retry replays it idempotently', async () => {
    const session = runtimeSessionId('lost');
    await sdk.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: RUNTIME_ARN, runtimeSessionId: session, payload: Buffer.from('{}') }));
    const out = await sdk.send(new StopRuntimeSessionCommand({ agentRuntimeArn: RUNTIME_ARN, runtimeSessionId: session }));
    assert.equal(out.runtimeSessionId, session);
    assert.equal(out.statusCode, 200);
    assert.equal(out.$metadata.attempts, 2);
    const calls = await journal('StopRuntimeSession');
    assert.equal(calls.length, 2);
    assert.equal(calls[0].errorCode, 'connection_reset');
    assert.equal(calls[0].scenario.rule, 'lose-first-stop-response');
    assert.equal(calls[1].status, 200);
    // Both attempts carried the same clientToken: one stop, answered twice.
    assert.equal(JSON.parse(calls[0].body).clientToken, JSON.parse(calls[1].body).clientToken);
    const state = await admin('state?vendor=agentcore');
    const stopped = state.json.agentcore.sessions.find((s) => s.runtimeSessionId === session);
    assert.equal(stopped.status, 'TERMINATED');
    // A new token finds the session gone.
    const again = await rejection(sdk.send(new StopRuntimeSessionCommand({ agentRuntimeArn: RUNTIME_ARN, runtimeSessionId: session })));
    assert.equal(again.name, 'ResourceNotFoundException');
  });
});

describe('scripted modeled errors reach the SDK by name', () => {
  const cases = [
    ['ThrottlingException', 429],
    ['ServiceQuotaExceededException', 402],
    ['InternalServerException', 500],
    ['RuntimeClientError', 424],
    ['RetryableConflictException', 409],
    ['ConflictException', 409],
    ['UnauthorizedException', 401],
    ['AccessDeniedException', 403],
    ['ResourceNotFoundException', 404],
    ['ValidationException', 400],
  ];
  for (const [name, status] of cases) {
    it(`${name} (${status})`, async () => {
      const scenario = {
        name: `scripted-${name}`,
        rules: [{
          match: { vendor: 'agentcore', operation: 'StopRuntimeSession', params: { runtimeSessionId: 'scripted-*' } },
          respond: { error: name, message: `scripted ${name}` },
        }],
      };
      const put = await admin(`scenarios/scripted-${name}`, { method: 'PUT', body: JSON.stringify(scenario) });
      assert.equal(put.status, 200, put.text);
      const once = client(emulator.url, { maxAttempts: 1 });
      try {
        const error = await rejection(once.send(new StopRuntimeSessionCommand({
          agentRuntimeArn: RUNTIME_ARN, runtimeSessionId: runtimeSessionId('scripted').replace('session-', 'scripted-'),
        })));
        assert.equal(error.name, name);
        assert.equal(error.message, `scripted ${name}`);
        assert.equal(error.$metadata.httpStatusCode, status);
        assert.match(error.$metadata.requestId, /^[0-9a-f-]{36}$/);
        if (name === 'ValidationException') assert.equal(error.reason, 'FieldValidationFailed');
      } finally {
        once.destroy();
        await admin(`scenarios/scripted-${name}`, { method: 'DELETE' });
      }
    });
  }

  it('an unknown error id is refused when the scenario loads', async () => {
    const bad = { name: 'bad', rules: [{ match: { vendor: 'agentcore' }, respond: { error: 'Throttling' } }] };
    const put = await admin('scenarios/bad', { method: 'PUT', body: JSON.stringify(bad) });
    assert.equal(put.status, 400);
    assert.match(put.json.message, /vendor agentcore has no error "Throttling"/);
  });
});
