// The README's container examples: the Testcontainers one is valid JavaScript that waits for the
// health endpoint on the image's port, and every AGENTEMU_* variable the examples set is a flag
// agentemu knows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sourceDir, binary } from '../support/emulator.mjs';

const readme = fs.readFileSync(path.join(sourceDir, 'README.md'), 'utf8');
const section = /\n## Running it as a container\n([\s\S]*?)\n## /.exec(readme)?.[1];
const blocks = (lang) => [...(section ?? '').matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);

test('the Testcontainers example parses and waits for /_emulator/health on 4599', (t) => {
  assert.ok(section, 'the README has "Running it as a container"');
  const [example] = blocks('js').filter((code) => code.includes("from 'testcontainers'"));
  assert.ok(example, 'a js block imports testcontainers');
  assert.match(example, /new GenericContainer\(/);
  assert.match(example, /\.withWaitStrategy\(Wait\.forHttp\('\/_emulator\/health', 4599\)/);
  assert.match(example, /\.withExposedPorts\(4599\)/);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agentemu-readme-')), 'testcontainers-example.mjs');
  t.after(() => fs.rmSync(path.dirname(file), { recursive: true, force: true }));
  fs.writeFileSync(file, example);
  execFileSync(process.execPath, ['--check', file], { stdio: 'pipe' });  // throws with the syntax error
});

test('every AGENTEMU_* variable in the container examples is one of agentemu\'s flags', () => {
  const help = execFileSync(binary, ['--help'], { encoding: 'utf8' });
  const flags = new Set([...help.matchAll(/^\s+--([a-z-]+)/gm)].map((m) => m[1]));
  const used = new Set([...section.matchAll(/AGENTEMU_([A-Z_]+)/g)].map((m) => m[1]).filter((v) => v !== 'URL'));
  assert.ok(used.size >= 4, [...used].join(' '));
  for (const name of used) assert.ok(flags.has(name.toLowerCase().replaceAll('_', '-')), `AGENTEMU_${name} is no flag`);
  for (const yaml of blocks('yaml')) assert.match(yaml, /4599/, 'each example reaches the image\'s port');
});
