// Helpers shared by the REST agent runtime's integration tests.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { call, slowdown } from './emulator.mjs';

// The two agents fixtures/default.json ships.
export const ELIZA = '550e8400-e29b-41d4-a716-446655440000';
export const BOB = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
export const UNKNOWN = '00000000-0000-4000-8000-000000000000';

/** POST /_emulator/state with a {"rest": section} document; asserts it was accepted. */
export async function mergeRest(url, section) {
  const response = await call(`${url}/_emulator/state`, { method: 'POST', json: { rest: section } });
  assert.equal(response.status, 200, response.text);
  return response.json.rest;
}

export async function resetEmulator(url) {
  const response = await call(`${url}/_emulator/reset`, { method: 'POST' });
  assert.equal(response.status, 200, response.text);
}

/** Moves the emulator's clock to real time + `seconds`. */
export async function setClock(url, seconds) {
  const response = await call(`${url}/_emulator/clock`, { method: 'PUT', json: { offsetSeconds: seconds } });
  assert.equal(response.status, 200, response.text);
}

export async function restState(url) {
  const response = await call(`${url}/_emulator/state?vendor=rest`);
  assert.equal(response.status, 200, response.text);
  return response.json.rest;
}

/** Waits until the agent has `count` graceful stops waiting on it. */
export async function pendingStops(url, agentId, count, { timeoutMs = 5000 * slowdown } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await restState(url);
    const agent = state.agents.find((a) => a.agentId === agentId);
    if (agent && agent.pendingStops === count) return agent;
    if (Date.now() > deadline) throw new Error(`agent ${agentId} never had ${count} pending stops: ${JSON.stringify(agent)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Asserts a documented-profile error: status and {"success":false,"error":text}. */
export function assertDocsError(response, status, text) {
  assert.equal(response.status, status, response.text);
  assert.match(response.headers.get('content-type'), /^application\/json/);
  assert.deepEqual(response.json, { success: false, error: text });
}

/** Asserts an elizaOS-profile error: status and {"success":false,"error":{code,message,...}}. */
export function assertElizaError(response, status, code, message) {
  assert.equal(response.status, status, response.text);
  assert.equal(response.json.success, false, response.text);
  assert.equal(response.json.error.code, code, response.text);
  if (message !== undefined) assert.equal(response.json.error.message, message, response.text);
}

/** Writes a fixture file into a fresh temporary folder and returns its path. */
export function writeFixture(document) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentemu-rest-'));
  const file = path.join(dir, 'fixtures.json');
  fs.writeFileSync(file, JSON.stringify(document));
  return file;
}
