// Starts the real agentemu binary on a free loopback port for one test file, and the small
// HTTP helpers the integration and contract tests share.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import assert from 'node:assert/strict';

export const sourceDir = process.env.AGENTEMU_SOURCE_DIR ?? path.resolve(import.meta.dirname, '../..');
export const binary = process.env.AGENTEMU_BIN ?? path.join(sourceDir, 'build/agentemu');
// Sanitizer builds run several times slower; timing assertions widen by this factor.
export const slowdown = process.env.AGENTEMU_SANITIZED === '1' || process.env.AGENTEMU_SANITIZED === 'true' ? 4 : 1;

// The test harness's own variables (CMake sets them) are not agentemu's: left in, agentemu would
// rightly warn about each at start.
const harnessVariables = ['AGENTEMU_BIN', 'AGENTEMU_SOURCE_DIR', 'AGENTEMU_SANITIZED'];

/** This process's environment, without the harness's variables, plus `extra`. */
export function childEnv(extra = {}) {
  const env = { ...process.env };
  for (const name of harnessVariables) delete env[name];
  return { ...env, ...extra };
}

/**
 * Starts agentemu with `args` (after --port 0). Resolves once it printed its listening line.
 * @returns {Promise<{url: string, port: number, child: import('node:child_process').ChildProcess,
 *   stderr: () => string, stop: (signal?: string) => Promise<number>}>}
 */
export async function startEmulator({ args = [], env = {}, cwd = sourceDir, timeoutMs = 15000 } = {}) {
  const child = spawn(binary, ['--port', '0', '--log-level', 'warn', ...args], {
    cwd,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));

  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agentemu did not start in ${timeoutMs} ms\n${stderr}`)), timeoutMs);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /^agentemu listening on (http:\/\/\S+)\n/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`agentemu exited (${code}) before listening\n${stderr}`));
    });
  });
  const port = Number(new URL(url).port);
  let stopped;
  return {
    url,
    port,
    child,
    stderr: () => stderr,
    /** Sends a signal (SIGTERM by default) and resolves with the exit code. */
    stop(signal = 'SIGTERM') {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return exited;
      })();
      return stopped;
    },
    exited,
  };
}

/** Stops the emulator and asserts a clean exit (0): sanitizers report leaks and errors that way. */
export async function stopCleanly(emulator) {
  const code = await emulator.stop();
  assert.equal(code, 0, `agentemu exited with ${code}\n${emulator.stderr()}`);
}

/** fetch() that returns {status, headers, text, json} and never throws on HTTP errors. */
export async function call(url, { method = 'GET', headers = {}, body, json } = {}) {
  const init = { method, headers: { ...headers } };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers['content-type'] ??= 'application/json';
  } else if (body !== undefined) {
    init.body = body;
  }
  const response = await fetch(url, init);
  const text = await response.text();
  let parsed;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
  return { status: response.status, headers: response.headers, text, json: parsed };
}

/**
 * Writes raw bytes to a fresh TCP connection and collects everything the server sends until it
 * closes the connection (or `idleMs` pass without data). Resolves {data, closed, reset}.
 */
export function rawExchange(port, bytes, { idleMs = 2000, halfClose = false } = {}) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks = [];
    let reset = false;
    let timer;
    const finish = (closed) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(chunks).toString('latin1'), closed, reset });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), idleMs);
    };
    socket.on('connect', () => {
      socket.write(bytes);
      if (halfClose) socket.end();
      arm();
    });
    socket.on('data', (chunk) => { chunks.push(chunk); arm(); });
    socket.on('error', (error) => { reset = error.code === 'ECONNRESET'; });
    socket.on('close', () => finish(true));
  });
}

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually(probe, { timeoutMs = 5000 * slowdown, intervalMs = 20 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
