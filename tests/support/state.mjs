// The state dump's round trip, shared by the tests that own a vendor's state: GET
// /_emulator/state?secrets=true is a fixture document that, loaded into a fresh agentemu through
// --fixtures or POST /_emulator/state, dumps again to the same document.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, stopCleanly, call } from './emulator.mjs';

/** The whole state with its secrets, or one vendor's section with ?vendor=. */
export async function dumpState(url, { vendor, secrets = true } = {}) {
  const query = new URLSearchParams();
  if (vendor) query.set('vendor', vendor);
  if (secrets) query.set('secrets', 'true');
  const r = await call(`${url}/_emulator/state?${query}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

/** A scratch folder removed when the process exits. */
export function scratchDir(prefix = 'agentemu-state-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// Each vendor's section compared on its own, so a failure names the vendor and the section.
// Only the vendors `expected` holds: a dump of one vendor leaves the others empty.
function assertSameState(actual, expected, how) {
  for (const vendor of Object.keys(expected)) {
    assert.ok(actual[vendor], `${how}: /${vendor} is missing`);
    for (const section of Object.keys(expected[vendor])) {
      assert.deepEqual(actual[vendor][section], expected[vendor][section], `${how}: /${vendor}/${section} differs`);
    }
    assert.deepEqual(Object.keys(actual[vendor]).sort(), Object.keys(expected[vendor]).sort(), `${how}: /${vendor}'s sections`);
  }
}

/**
 * Loads `dump` into two fresh agentemu processes (`args` added to each), one through --fixtures
 * and one through POST /_emulator/state over empty fixtures, and asserts each dumps the same.
 */
export async function assertRoundTrip(dump, { args = [] } = {}) {
  const dir = scratchDir();
  const dumpFile = path.join(dir, 'dump.json');
  const emptyFile = path.join(dir, 'empty.json');
  fs.writeFileSync(dumpFile, JSON.stringify(dump, null, 2));
  fs.writeFileSync(emptyFile, '{}');

  const fromFile = await startEmulator({ args: ['--fixtures', dumpFile, ...args] });
  try {
    assertSameState(await dumpState(fromFile.url), dump, '--fixtures');
  } finally {
    await stopCleanly(fromFile);
  }

  const fromPost = await startEmulator({ args: ['--fixtures', emptyFile, ...args] });
  try {
    const merged = await call(`${fromPost.url}/_emulator/state`, { method: 'POST', json: dump });
    assert.equal(merged.status, 200, merged.text);
    assertSameState(await dumpState(fromPost.url), dump, 'POST /_emulator/state');
  } finally {
    await stopCleanly(fromPost);
  }
}
