// Out of file descriptors: accept() fails with EMFILE while the listening socket stays readable.
// The server must back off instead of spinning on it, and serve again once descriptors free up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { startEmulator, stopCleanly, call, eventually } from '../support/emulator.mjs';

const openDescriptors = (pid) => readdirSync(`/proc/${pid}/fd`).length;

// utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat).
function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

test('with no descriptors left the server backs off, then serves again when they free up', async () => {
  const emu = await startEmulator({ args: ['--threads', '1'] });
  const pid = emu.child.pid;
  try {
    // Room for a few connections only.
    const limit = openDescriptors(pid) + 4;
    execFileSync('prlimit', ['--pid', String(pid), `--nofile=${limit}:${limit}`]);

    // More connections than descriptors: the kernel completes them all, the server cannot
    // accept the rest. They stay silent, so the accepted ones hold their descriptors.
    const held = [];
    for (let i = 0; i < 12; ++i) held.push(await connect(emu.port));
    await eventually(() => emu.stderr().includes('cannot accept connections'));

    // Backing off costs next to nothing; retrying at once would burn a whole core.
    const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
    const before = cpuTicks(pid);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const used = (cpuTicks(pid) - before) / ticksPerSecond;
    assert.ok(used < 0.5, `the server used ${used} s of CPU in 1 s while out of descriptors`);

    // One of the waiting connections asks for health; it is served once descriptors free up.
    const waiting = held.pop();
    const answered = new Promise((resolve) => {
      let text = '';
      waiting.on('data', (chunk) => {
        text += chunk;
        if (text.includes('\r\n\r\n')) resolve(text);
      });
    });
    waiting.write('GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n');
    for (const socket of held) socket.destroy();
    assert.match(await answered, /^HTTP\/1\.1 200 /);
    waiting.destroy();

    // And new connections are accepted as before.
    await eventually(async () => (await call(`${emu.url}/_emulator/health`)).status === 200);
  } finally {
    await stopCleanly(emu);
  }
});
