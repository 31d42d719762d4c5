// AgentCore's generated tables are what the model files give (a model update is a regeneration,
// never an edit), and the SDK supplement is what the pinned SDKs' schemas give.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { sourceDir } from '../support/emulator.mjs';

const run = (script, ...args) =>
  spawnSync(process.execPath, [path.join(sourceDir, script), ...args], { cwd: sourceDir, encoding: 'utf8' });

describe('agentcore model tables', () => {
  it('generated/ is up to date with model/', () => {
    const r = run('scripts/gen-agentcore-tables', '--check');
    assert.equal(r.status, 0, r.stderr);
  });
  it('model/sdk-supplement.json is what the pinned SDKs give', () => {
    const r = run('scripts/lib/agentcore/sdk-supplement.mjs', '--check');
    assert.equal(r.status, 0, r.stderr);
  });
});
