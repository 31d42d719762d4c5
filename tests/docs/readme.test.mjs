// Every code block of every README that is meant to run is run here, against a live agentemu, so
// the READMEs cannot rot. The rules, by the block's info string:
//
//   console            "$ " starts a command (continued by a trailing "\" or an open quote); the
//                      lines up to the next "$ " are its output, where "..." stands for anything.
//                      Every command must exit 0 and print what is shown.
//   sh, bash           run as they are; the block must exit 0.
//   js                 a Node program, ES module unless its first line names a .cjs file
//                      ("// pop-core.cjs"); it must exit 0.
//   jsonc scenario     loaded with PUT /_emulator/scenarios/{name}; it must be accepted.
//   jsonc fixture      loaded with --fixtures after the default ones; agentemu must start.
//
// A block that is not meant to run says so on the line before it:
//   <!-- readme-test: skip (why) -->
// and a block of any other kind without that line fails the test.
//
// Each README gets an agentemu with the default fixtures, as `scripts/run` serves it, and one
// shell session for all its blocks, in order, as a reader would type them. "4599" is that
// agentemu's port; `build/agentemu ARGS &` (or `scripts/run ARGS &`) restarts it with ARGS;
// `build/agentemu` elsewhere is the binary under test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { binary, sourceDir, startEmulator, stopCleanly, call, childEnv } from '../support/emulator.mjs';

const readmes = ['README.md', 'emulator/vendors/README.md',
  ...fs.readdirSync(path.join(sourceDir, 'emulator/vendors'))
    .map((v) => `emulator/vendors/${v}/README.md`).filter((f) => fs.existsSync(path.join(sourceDir, f)))];

const SKIP = /^<!-- readme-test: skip \((.+)\) -->$/;
const START = /^(?:build\/agentemu|scripts\/run)((?:\s+[^\s&#]+)*)\s*&\s*(?:#.*)?$/;

/** The fenced blocks of a markdown text: {info, words, code, line, skip}. */
function blocks(markdown) {
  const lines = markdown.split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === '') before--;
    const skip = before >= 0 ? SKIP.exec(lines[before].trim()) : null;
    out.push({ info: open[1], words: open[2].split(/\s+/).filter(Boolean), code: lines.slice(i + 1, end).join('\n'), line: i + 1, skip: skip?.[1] });
    i = end;
  }
  return out;
}

/** "$ " commands and their outputs. A command goes on while a line ends in "\" or a quote is open. */
function transcript(code) {
  const steps = [];
  const lines = code.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('$ ')) {
      if (steps.length === 0) throw new Error(`console blocks start with "$ ": ${lines[i]}`);
      steps.at(-1).output.push(lines[i]);
      continue;
    }
    let command = lines[i].slice(2);
    while (i + 1 < lines.length && (command.endsWith('\\') || openQuote(command))) command += `\n${lines[++i]}`;
    steps.push({ command, output: [] });
  }
  return steps.map((s) => ({ command: s.command, output: s.output.join('\n').trimEnd() }));
}

function openQuote(text) {
  let single = false;
  let double = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && !single) i++;
    else if (c === "'" && !double) single = !single;
    else if (c === '"' && !single) double = !double;
  }
  return single || double;
}

/** "..." matches anything (also nothing, also across lines); everything else itself. */
function shows(expected, actual) {
  const pattern = expected.split('...').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*?');
  return new RegExp(`^${pattern}$`).test(actual.trimEnd());
}

/** One bash for a README: variables and functions live from block to block. */
class Shell {
  constructor(env) {
    this.child = spawn('bash', ['--noprofile', '--norc'], { cwd: sourceDir, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.buffer = '';
    this.child.stdout.on('data', (c) => { this.buffer += c; this.wake?.(); });
    this.child.stderr.on('data', (c) => { this.buffer += c; this.wake?.(); });
  }

  async run(command, { timeoutMs = 60_000 } = {}) {
    const marker = `__readme_${crypto.randomBytes(6).toString('hex')}__`;
    this.buffer = '';
    this.child.stdin.write(`{\n${command}\n} 2>&1\nprintf '\\n${marker} %d\\n' "$?"\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.buffer.indexOf(`\n${marker} `);
      const line = at >= 0 ? /^ (\d+)\n/.exec(this.buffer.slice(at + marker.length + 1)) : null;
      if (line) return { output: this.buffer.slice(0, at), status: Number(line[1]) };
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${command}\n${this.buffer}`);
      await new Promise((resolve) => { this.wake = resolve; setTimeout(resolve, 100); });
    }
  }

  close() {
    this.child.stdin.end('exit\n');
    this.child.kill();
  }
}

class Reader {
  constructor(file) {
    this.file = file;
    this.scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'agentemu-readme-'));
    fs.symlinkSync(path.join(sourceDir, 'tests/node_modules'), path.join(this.scratch, 'node_modules'));
  }

  async start(args = []) {
    if (this.emu) await stopCleanly(this.emu);
    this.emu = await startEmulator({ args });
    this.port = this.emu.port;
    this.shell ??= new Shell(childEnv());
  }

  // The README's own words, with this agentemu's port and the binary under test.
  localize(text) {
    return text.replaceAll(':4599', `:${this.port}`).replace(/(^|[\s;|&(`$])build\/agentemu\b/g, `$1${binary}`);
  }

  async stop() {
    this.shell?.close();
    if (this.emu) await stopCleanly(this.emu);
    fs.rmSync(this.scratch, { recursive: true, force: true });
  }

  async console(block) {
    for (const step of transcript(block.code)) {
      const start = START.exec(step.command);
      if (start) {
        await this.start(start[1].trim().split(/\s+/).filter(Boolean));
        if (step.output) assert.ok(shows(this.localize(step.output), `agentemu listening on ${this.emu.url}`), step.output);
        continue;
      }
      const { output, status } = await this.shell.run(this.localize(step.command));
      assert.equal(status, 0, `${this.file}:${block.line}: \`${step.command}\` exited ${status}\n${output}`);
      assert.ok(shows(this.localize(step.output), output.trimEnd()),
        `${this.file}:${block.line}: \`${step.command}\` printed\n${output}\nbut the README shows\n${step.output}`);
    }
  }

  async sh(block) {
    const script = [];
    for (const line of block.code.split('\n')) {
      const start = START.exec(line.trim());
      if (start) {
        if (script.length) await this.script(block, script.splice(0));
        await this.start(start[1].trim().split(/\s+/).filter(Boolean));
      } else {
        script.push(line);
      }
    }
    await this.script(block, script);
  }

  async script(block, lines) {
    const { output, status } = await this.shell.run(this.localize(lines.join('\n')));
    assert.equal(status, 0, `${this.file}:${block.line}: the block exited ${status}\n${output}`);
  }

  async js(block) {
    const named = /^\/\/\s*(\S+\.(?:mjs|cjs))\b/.exec(block.code);
    const file = path.join(this.scratch, named ? path.basename(named[1]) : `block-${block.line}.mjs`);
    fs.writeFileSync(file, this.localize(block.code));
    const r = spawnSync(process.execPath, [file], { cwd: this.scratch, env: childEnv(), encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `${this.file}:${block.line}: node exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  }

  async document(block, kind) {
    if (kind === 'scenario') {
      const url = `${this.emu.url}/_emulator/scenarios/readme-${block.line}`;
      const r = await call(url, { method: 'PUT', body: block.code });
      assert.equal(r.status, 200, `${this.file}:${block.line}: the scenario was refused: ${r.text}`);
      await call(url, { method: 'DELETE' });
      return;
    }
    // A fixture file, comments and all, as --fixtures reads it after the default ones.
    const file = path.join(this.scratch, `fixture-${block.line}.jsonc`);
    fs.writeFileSync(file, block.code);
    const loaded = await startEmulator({ args: ['--fixtures', path.join(sourceDir, 'fixtures/default.json'), '--fixtures', file] })
      .catch((error) => assert.fail(`${this.file}:${block.line}: the fixture was refused: ${error.message}`));
    await stopCleanly(loaded);
  }

  async run(block) {
    if (block.info === 'console') return this.console(block);
    if (block.info === 'sh' || block.info === 'bash') return this.sh(block);
    if (block.info === 'js') return this.js(block);
    const kind = block.words.find((w) => w === 'scenario' || w === 'fixture');
    if ((block.info === 'json' || block.info === 'jsonc') && kind) return this.document(block, kind);
    assert.fail(`${this.file}:${block.line}: a \`\`\`${block.info} block is not run: say why with <!-- readme-test: skip (why) --> on the line before it`);
  }
}

test('the runner reads transcripts and patterns as the header says', () => {
  assert.deepEqual(transcript("$ a \\\n  b\nout\n$ x '{\n}'\n$ y"), [
    { command: 'a \\\n  b', output: 'out' }, { command: "x '{\n}'", output: '' }, { command: 'y', output: '' }]);
  assert.ok(shows('{"a":...,"b":2}', '{"a":[1,2],"b":2}'));
  assert.ok(!shows('{"a":1}', '{"a":1,"b":2}'));
  assert.ok(shows('one\n...\nfour', 'one\ntwo\nthree\nfour'));
  const found = blocks('<!-- readme-test: skip (a server) -->\n```console\n$ x\n```\n\n```js\n1\n```\n');
  assert.deepEqual(found.map((b) => [b.info, b.skip, b.line]), [['console', 'a server', 2], ['js', undefined, 6]]);
});

for (const file of readmes) {
  test(`${file}: every block runs as it reads`, { timeout: 600_000 }, async (t) => {
    const reader = new Reader(file);
    try {
      await reader.start();
      for (const block of blocks(fs.readFileSync(path.join(sourceDir, file), 'utf8'))) {
        if (block.skip) continue;
        await t.test(`line ${block.line} (${block.info})`, () => reader.run(block));
      }
    } finally {
      await reader.stop();
    }
  });
}
