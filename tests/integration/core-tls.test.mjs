// HTTPS on the same port as HTTP: a generated certificate, or one the user gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { startEmulator, stopCleanly, call, eventually } from '../support/emulator.mjs';

function httpsGet(port, path, ca) {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path, ca, servername: 'localhost' }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
  });
}

async function certPaths(emu) {
  const line = await eventually(() => /self-signed TLS certificate: (\S+) .*key: (\S+)\)/.exec(emu.stderr()));
  return { cert: line[1], key: line[2] };
}

test('--tls-self-signed serves HTTPS and plain HTTP on one port', async () => {
  const emu = await startEmulator({ args: ['--tls-self-signed'] });
  try {
    const { cert, key } = await certPaths(emu);
    const ca = fs.readFileSync(cert);
    assert.equal((fs.statSync(key).mode & 0o777), 0o600, 'the key is private');
    const secure = await httpsGet(emu.port, '/_emulator/health', ca);
    assert.equal(secure.status, 200);
    assert.equal(JSON.parse(secure.body).status, 'ok');
    const plain = await call(`${emu.url}/_emulator/health`);
    assert.equal(plain.status, 200);
    const journal = await call(`${emu.url}/_emulator/requests`);
    assert.ok(journal.status === 200);
    await assert.rejects(httpsGet(emu.port, '/_emulator/health', undefined), /self.signed|unable to verify|certificate/i,
      'an untrusting client refuses the certificate');
  } finally {
    await stopCleanly(emu);
  }
});

test('--tls-cert/--tls-key serve the given certificate', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentemu-tls-given-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const first = await startEmulator({ args: ['--tls-self-signed', '--tls-dir', dir] });
  const { cert, key } = await certPaths(first);
  await stopCleanly(first);
  const emu = await startEmulator({ args: ['--tls-cert', cert, '--tls-key', key] });
  try {
    const r = await httpsGet(emu.port, '/_emulator/health', fs.readFileSync(cert));
    assert.equal(r.status, 200);
    const peer = await new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port: emu.port, ca: fs.readFileSync(cert), servername: 'localhost' }, () => {
        const c = socket.getPeerCertificate();
        socket.destroy();
        resolve(c);
      });
      socket.on('error', reject);
    });
    assert.match(peer.subjectaltname, /IP Address:127\.0\.0\.1/);
    assert.match(peer.subjectaltname, /DNS:localhost/);
  } finally {
    await stopCleanly(emu);
  }
});

test('a TLS client on a plain-HTTP server is refused without harming the server', async () => {
  const emu = await startEmulator();
  try {
    await assert.rejects(httpsGet(emu.port, '/_emulator/health', undefined));
    assert.equal((await call(`${emu.url}/_emulator/health`)).status, 200);
  } finally {
    await stopCleanly(emu);
  }
});

test('an unreadable certificate exits 2 naming the file', async () => {
  await assert.rejects(startEmulator({ args: ['--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem'] }),
    /exited \(2\)[\s\S]*\/nonexistent\/cert\.pem: cannot load the certificate/);
});
