// The AgentCore code interpreter running code for real (--code-interpreter exec, the default on
// loopback), through @aws-sdk/client-bedrock-agentcore and through the `bedrock-agentcore`
// package's CodeInterpreter client: results in the service's structured shape, persistent
// interpreters, real exit codes, a working directory per session, background tasks, limits.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import {
  InvokeCodeInterpreterCommand, StartCodeInterpreterSessionCommand, StopCodeInterpreterSessionCommand,
} from '@aws-sdk/client-bedrock-agentcore';
import { CodeInterpreter } from 'bedrock-agentcore/code-interpreter';
import { eventually, slowdown, startEmulator, stopCleanly } from '../support/emulator.mjs';
import { CODE_INTERPRETER, TEST_CREDENTIALS, client, rejection } from '../support/agentcore.mjs';

// Short limits keep the runaway tests short; they apply to every execution. An interpreter's
// start does not count against them, so they need no room for the sanitizers' slowdown. The CPU
// limit is well above the wall-clock one: a busy loop burns CPU as fast as the clock runs, and on a
// loaded machine the CPU limit (SIGXCPU, exit 152) could otherwise win the race the runaway test
// is about. The CPU limit has its own test in tests/unit/core/exec_test.cpp.
const TIMEOUT_S = 3;
const CPU_S = TIMEOUT_S * 5;
let emulator;
let sdk;

before(async () => {
  emulator = await startEmulator({ args: ['--exec-limits', `timeout=${TIMEOUT_S}s,cpu=${CPU_S}s,output=64k`] });
  sdk = client(emulator.url);
});
after(async () => {
  sdk?.destroy();
  if (emulator) await stopCleanly(emulator);
});

async function session() {
  const out = await sdk.send(new StartCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER }));
  return out.sessionId;
}

/** One tool call through the SDK: the decoded result event. */
async function tool(sessionId, name, args) {
  const out = await sdk.send(new InvokeCodeInterpreterCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, sessionId, name, arguments: args }));
  const events = [];
  for await (const event of out.stream) events.push(event);
  assert.equal(events.length, 1);
  return events[0].result;
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const interpreter = () => new CodeInterpreter({
  region: 'us-east-1',
  clientConfig: { endpoint: emulator.url, credentials: TEST_CREDENTIALS },
});

describe('the bedrock-agentcore CodeInterpreter client', () => {
  it('print(6*7) gives 42, and variables persist until clearContext', async () => {
    const ci = interpreter();
    try {
      assert.equal(await ci.executeCode({ code: 'print(6*7)' }), '42\n');
      assert.equal(await ci.executeCode({ code: 'x = 20\nimport math' }), '');
      assert.equal(await ci.executeCode({ code: 'print(x + 1, math.floor(2.5))' }), '21 2\n');
      const cleared = await ci.executeCode({ code: 'print(x)', clearContext: true });
      assert.match(cleared, /NameError: name 'x' is not defined/);
      assert.equal(await ci.executeCode({ code: 'console.log([1, 2].map((n) => n * 21).join(","))', language: 'javascript' }), '21,42\n');
    } finally {
      await ci.stopSession();
    }
  });

  it('files written with writeFiles are read by code, and files code writes are read back', async () => {
    const ci = interpreter();
    try {
      assert.equal(await ci.writeFiles({ files: [{ path: 'data.csv', content: 'a,b\n1,2\n' }] }), 'Successfully wrote all 1 files');
      assert.equal(await ci.executeCode({ code: "print(open('data.csv').read().splitlines()[1])" }), '1,2\n');
      await ci.executeCode({ code: "open('out/report.txt', 'w').write('from code') if __import__('os').makedirs('out', exist_ok=True) is None else None" });
      assert.equal(await ci.readFiles({ paths: ['out/report.txt'] }), 'from code');
      assert.match(await ci.listFiles({ path: 'out' }), /^report\.txt - File - text\/plain \(file:\/\/.*\/out\/report\.txt\)$/);
      assert.match(await ci.executeCommand({ command: 'ls' }), /data\.csv\nout\n/);
      await ci.removeFiles({ paths: ['out'] });
      assert.doesNotMatch(await ci.executeCommand({ command: 'ls' }), /out/);
    } finally {
      await ci.stopSession();
    }
  });
});

describe('InvokeCodeInterpreter through the SDK', () => {
  it('a result carries stdout, stderr, exitCode and executionTime in structuredContent', async () => {
    const id = await session();
    const r = await tool(id, 'executeCode', { code: 'import sys\nprint("out")\nprint("err", file=sys.stderr)', language: 'python' });
    assert.equal(r.isError, false);
    assert.deepEqual(r.content, [{ type: 'text', text: 'out\n' }, { type: 'text', text: 'err\n' }]);
    assert.equal(r.structuredContent.stdout, 'out\n');
    assert.equal(r.structuredContent.stderr, 'err\n');
    assert.equal(r.structuredContent.exitCode, 0);
    assert.equal(typeof r.structuredContent.executionTime, 'number');
    assert.ok(r.structuredContent.executionTime > 0 && r.structuredContent.executionTime < 30);
  });

  it('a ZeroDivisionError is an error with its traceback in stderr, and the context survives it', async () => {
    const id = await session();
    await tool(id, 'executeCode', { code: 'kept = "still here"' });
    const r = await tool(id, 'executeCode', { code: 'print("before")\nx = 1/0' });
    assert.equal(r.isError, true);
    assert.equal(r.structuredContent.exitCode, 1);
    assert.equal(r.structuredContent.stdout, 'before\n');
    assert.equal(r.structuredContent.stderr,
      'Traceback (most recent call last):\n  File "<string>", line 2, in <module>\nZeroDivisionError: division by zero\n');
    assert.equal((await tool(id, 'executeCode', { code: 'print(kept)' })).structuredContent.stdout, 'still here\n');
  });

  it('executeCommand reports its real exit code', async () => {
    const id = await session();
    const r = await tool(id, 'executeCommand', { command: 'echo partial; echo oops >&2; exit 3' });
    assert.equal(r.isError, true);
    assert.equal(r.structuredContent.exitCode, 3);
    assert.equal(r.structuredContent.stdout, 'partial\n');
    assert.equal(r.structuredContent.stderr, 'oops\n');
    assert.deepEqual(r.content, [{ type: 'text', text: 'partial\noops\n' }]);
    const missing = await tool(id, 'executeCommand', { command: 'no-such-command-here' });
    assert.equal(missing.structuredContent.exitCode, 127);
    assert.match(missing.structuredContent.stderr, /no-such-command-here/);
    const ok = await tool(id, 'executeCommand', { command: 'true' });
    assert.equal(ok.isError, false);
    assert.equal(ok.structuredContent.exitCode, 0);
  });

  it('a background task runs, is polled and is stopped, and its processes die with it', async () => {
    const id = await session();
    const started = await tool(id, 'startCommandExecution', { command: 'echo $$; echo started; sleep 60' });
    assert.equal(started.isError, false);
    assert.deepEqual(started.content, [{ type: 'text', text: 'Successfully started a command execution task' }]);
    assert.equal(started.structuredContent.taskStatus, 'submitted');
    const taskId = started.structuredContent.taskId;
    assert.match(taskId, /^[0-9a-f]{8}$/);
    const working = await eventually(async () => {
      const r = await tool(id, 'getTask', { taskId });
      return r.structuredContent.stdout.includes('started') ? r : null;
    });
    assert.equal(working.structuredContent.taskStatus, 'working');
    const pid = Number(working.structuredContent.stdout.split('\n')[0]);
    assert.ok(alive(pid));
    const stopped = await tool(id, 'stopTask', { taskId });
    assert.equal(stopped.structuredContent.taskStatus, 'canceled');
    await eventually(() => !alive(pid));
    const after = await eventually(async () => {
      const r = await tool(id, 'getTask', { taskId });
      return r.structuredContent.exitCode !== undefined ? r : null;
    });
    assert.equal(after.structuredContent.taskStatus, 'canceled');

    const quick = (await tool(id, 'startCommandExecution', { command: 'echo done' })).structuredContent.taskId;
    const finished = await eventually(async () => {
      const r = await tool(id, 'getTask', { taskId: quick });
      return r.structuredContent.taskStatus === 'completed' ? r : null;
    });
    assert.equal(finished.structuredContent.stdout, 'done\n');
    assert.equal(finished.structuredContent.exitCode, 0);
    const failed = (await tool(id, 'startCommandExecution', { command: 'exit 4' })).structuredContent.taskId;
    const failure = await eventually(async () => {
      const r = await tool(id, 'getTask', { taskId: failed });
      return r.structuredContent.taskStatus === 'failed' ? r : null;
    });
    assert.equal(failure.structuredContent.exitCode, 4);
    assert.equal((await tool(id, 'getTask', { taskId: 'nope' })).isError, true);
  });

  it('two sessions never see each other\'s files or variables', async () => {
    const a = await session();
    const b = await session();
    await tool(a, 'writeFiles', { content: [{ path: 'secret.txt', text: 'for a only' }] });
    await tool(a, 'executeCode', { code: 'mine = 1' });
    const read = await tool(b, 'readFiles', { paths: ['secret.txt'] });
    assert.equal(read.isError, true);
    assert.equal((await tool(b, 'executeCommand', { command: 'ls -A' })).structuredContent.stdout, '');
    assert.match((await tool(b, 'executeCode', { code: 'print(mine)' })).structuredContent.stderr, /NameError/);
    const [dirA, dirB] = await Promise.all([a, b].map(async (s) => (await tool(s, 'executeCommand', { command: 'pwd' })).structuredContent.stdout));
    assert.notEqual(dirA, dirB);
    const escape = await tool(b, 'readFiles', { paths: [`${dirA.trim()}/secret.txt`] });
    assert.equal(escape.isError, true);
    assert.match(escape.content[0].text, /outside the session's working directory/);
    const up = await tool(b, 'writeFiles', { content: [{ path: '../x.txt', text: 'no' }] }).catch((e) => e);
    assert.equal(up.name, 'ValidationException');
  });

  it('a runaway loop is killed at the wall-clock limit, and the next call starts afresh', async () => {
    const id = await session();
    await tool(id, 'executeCode', { code: 'lost = True' });
    const started = Date.now();
    const r = await tool(id, 'executeCode', { code: 'while True:\n    pass' });
    const took = Date.now() - started;
    assert.equal(r.isError, true);
    assert.equal(r.structuredContent.exitCode, 137);
    assert.match(r.structuredContent.stderr, /agentemu: the python interpreter was stopped \(the \d+ ms wall-clock limit\)/);
    assert.ok(took >= TIMEOUT_S * 1000 - 200 && took < TIMEOUT_S * 1000 + 8000 * slowdown, `took ${took} ms`);
    assert.match((await tool(id, 'executeCode', { code: 'print(lost)' })).structuredContent.stderr, /NameError/);
    const shell = await tool(id, 'executeCommand', { command: 'while :; do :; done' });
    assert.equal(shell.structuredContent.exitCode, 137);
    assert.match(shell.structuredContent.stderr, /wall-clock limit/);
  });

  it('TypeScript runs where Node.js can strip types; elsewhere it is a ValidationException that says so', async () => {
    const id = await session();
    const typed = await sdk.send(new InvokeCodeInterpreterCommand({
      codeInterpreterIdentifier: CODE_INTERPRETER, sessionId: id, name: 'executeCode',
      arguments: { code: 'const n: number = 42; console.log(n)', language: 'typescript' },
    })).then(async (out) => {
      for await (const event of out.stream) return event.result;
      return undefined;
    }).catch((e) => e);
    if (typed.name === 'ValidationException') {
      assert.match(typed.message, /TypeScript needs a runner/);
      assert.equal(typed.fieldList[0].name, 'arguments.language');
    } else {
      assert.equal(typed.structuredContent.stdout, '42\n');
    }
  });

  it('stopping a session ends its processes and removes its working directory', async () => {
    const id = await session();
    const dir = (await tool(id, 'executeCommand', { command: 'pwd' })).structuredContent.stdout.trim();
    assert.ok(fs.existsSync(dir));
    const taskId = (await tool(id, 'startCommandExecution', { command: 'echo $$; sleep 60' })).structuredContent.taskId;
    const pid = Number((await eventually(async () => {
      const r = await tool(id, 'getTask', { taskId });
      return r.structuredContent.stdout ? r : null;
    })).structuredContent.stdout);
    await tool(id, 'executeCode', { code: 'import os\nprint(os.getpid())' });
    await sdk.send(new StopCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, sessionId: id }));
    await eventually(() => !alive(pid) && !fs.existsSync(dir));
    const gone = await rejection(tool(id, 'executeCode', { code: 'print(1)' }));
    assert.equal(gone.name, 'ResourceNotFoundException');
  });
});

describe('the end of a session', () => {
  it('a session that expires on the emulator clock takes its working directory with it, as a reset does', async () => {
    const { sessionId } = await sdk.send(new StartCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, sessionTimeoutSeconds: 30 }));
    const dir = (await tool(sessionId, 'executeCommand', { command: 'pwd' })).structuredContent.stdout.trim();
    assert.ok(fs.existsSync(dir));
    const admin = (p, init) => fetch(`${emulator.url}/_emulator/${p}`, init);
    try {
      await admin('clock', { method: 'PUT', body: JSON.stringify({ offsetSeconds: 31 }) });
      await eventually(() => !fs.existsSync(dir));
    } finally {
      await admin('clock', { method: 'PUT', body: JSON.stringify({ offsetSeconds: 0 }) });
    }
    const other = await session();
    const otherDir = (await tool(other, 'executeCommand', { command: 'pwd' })).structuredContent.stdout.trim();
    await admin('reset', { method: 'POST' });
    assert.equal(fs.existsSync(otherDir), false);
  });
});

describe('agentemu exiting', () => {
  it('ends every child and removes the workspace, with no zombie left', async () => {
    const emu = await startEmulator();
    const own = client(emu.url);
    try {
      const { sessionId } = await own.send(new StartCodeInterpreterSessionCommand({ codeInterpreterIdentifier: CODE_INTERPRETER }));
      const call = async (name, args) => {
        const out = await own.send(new InvokeCodeInterpreterCommand({ codeInterpreterIdentifier: CODE_INTERPRETER, sessionId, name, arguments: args }));
        for await (const event of out.stream) return event.result;
        return undefined;
      };
      const dir = (await call('executeCommand', { command: 'pwd' })).structuredContent.stdout.trim();
      const taskId = (await call('startCommandExecution', { command: 'sleep 60 & echo $!; wait' })).structuredContent.taskId;
      const pid = Number((await eventually(async () => {
        const r = await call('getTask', { taskId });
        return r.structuredContent.stdout ? r : null;
      })).structuredContent.stdout);
      assert.ok(alive(pid));
      await stopCleanly(emu);
      assert.equal(alive(pid), false);
      assert.equal(fs.existsSync(dir), false);
      // Nothing agentemu started is left as a zombie under this test either.
      const zombies = execFileSync('ps', ['-o', 'stat=', '--ppid', String(process.pid)]).toString().split('\n').filter((s) => s.startsWith('Z'));
      assert.deepEqual(zombies, []);
    } finally {
      own.destroy();
      await emu.stop();
    }
  });
});
