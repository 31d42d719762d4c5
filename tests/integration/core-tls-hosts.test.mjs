// --tls-self-signed for the vendors' own host names: the certificate names exactly what the README
// lists (plus loopback and --tls-host), a client that keeps a vendor's real URL (its name resolved
// to 127.0.0.1) accepts it, the temporary folder goes at exit and --tls-dir keeps and reuses a pair.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, stopCleanly, eventually, sourceDir } from '../support/emulator.mjs';

// The host names of the README's "TLS for the vendors' host names" table, {region} expanded.
function readmeHosts() {
  const readme = fs.readFileSync(path.join(sourceDir, 'README.md'), 'utf8');
  const section = /\n### TLS for the vendors' host names\n([\s\S]*?)\n#{2,3} /.exec(readme);
  assert.ok(section, 'the README has a "TLS for the vendors\' host names" section');
  const hosts = [];
  for (const row of section[1].split('\n').filter((line) => /^\| (agentcore|ice|zego) \|/.test(line))) {
    const [, , names, regions] = row.split('|').map((cell) => cell.trim());
    for (const name of [...names.matchAll(/`([^`]+)`/g)].map((m) => m[1])) {
      if (!name.includes('{region}')) hosts.push(name);
      else for (const region of regions.match(/[a-z0-9-]+/g) ?? []) hosts.push(name.replace('{region}', region));
    }
  }
  assert.ok(hosts.length > 20, `the README lists the vendors' hosts (${hosts.length})`);
  return hosts;
}

async function certPaths(emu) {
  const line = await eventually(() => /self-signed TLS certificate: (\S+) \((.*?); .*key: (\S+)\)/.exec(emu.stderr()));
  return { cert: line[1], how: line[2], key: line[3] };
}

/** The certificate's subjectAltName entries, as Node's X509Certificate prints them. */
function altNames(certFile) {
  return new crypto.X509Certificate(fs.readFileSync(certFile)).subjectAltName.split(', ');
}

// HTTPS to `hostname` as a client that keeps the vendor's real URL: the name resolves to
// 127.0.0.1 (as /etc/hosts would make it), SNI and Host carry the name, the certificate is trusted.
function vendorRequest(hostname, port, ca, requestPath = '/_emulator/health') {
  const lookup = (name, options, callback) => (options?.all
    ? callback(null, [{ address: '127.0.0.1', family: 4 }])
    : callback(null, '127.0.0.1', 4));
  return new Promise((resolve, reject) => {
    const req = https.get({ hostname, port, path: requestPath, ca, lookup, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
  });
}

test('the certificate names loopback, exactly the README\'s vendor hosts, and each --tls-host', async () => {
  const emu = await startEmulator({ args: ['--tls-self-signed', '--tls-host', 'agents.example.test', '--tls-host', '10.9.8.7'] });
  try {
    const { cert } = await certPaths(emu);
    const names = altNames(cert);
    const expected = ['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1',
      ...readmeHosts().map((h) => `DNS:${h}`), 'DNS:agents.example.test', 'IP Address:10.9.8.7'];
    assert.deepEqual([...names].sort(), [...expected].sort());
    for (const host of ['bedrock-agentcore.us-east-1.amazonaws.com', 'bedrock-agentcore-control.eu-central-1.amazonaws.com',
      'ice.cn-shanghai.aliyuncs.com', 'aigc-aiagent-api.zegotech.cn']) {
      assert.ok(names.includes(`DNS:${host}`), host);
    }
  } finally {
    await stopCleanly(emu);
  }
});

test('a client that keeps a vendor\'s real host name is served over TLS, on every listed name', async () => {
  const emu = await startEmulator({ args: ['--tls-self-signed', '--tls-host', 'agents.example.test'] });
  try {
    const ca = fs.readFileSync((await certPaths(emu)).cert);
    for (const host of [...readmeHosts(), 'agents.example.test']) {
      const r = await vendorRequest(host, emu.port, ca).catch((e) => assert.fail(`${host}: ${e.code ?? ''} ${e.message}`));
      assert.equal(r.status, 200, host);
      assert.equal(JSON.parse(r.body).status, 'ok', host);
    }
    // The Host header alone picks the vendor: ZEGO's gateway answers in ZEGO's envelope.
    const zego = await vendorRequest('aigc-aiagent-api.zegotech.cn', emu.port, ca, '/?Action=ListAgents');
    assert.ok('Code' in JSON.parse(zego.body), zego.body);
    // A name the certificate does not cover is refused by the client, so the check above can fail.
    await assert.rejects(vendorRequest('api.example.org', emu.port, ca), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  } finally {
    await stopCleanly(emu);
  }
});

test('the temporary folder is removed at exit, after serving and after a failed start', async () => {
  const emu = await startEmulator({ args: ['--tls-self-signed'] });
  const { cert, how } = await certPaths(emu);
  assert.equal(how, 'removed at exit');
  assert.ok(fs.existsSync(cert));
  await stopCleanly(emu);
  assert.equal(fs.existsSync(path.dirname(cert)), false, `${path.dirname(cert)} is left behind`);

  // The port is taken: agentemu makes its certificate, cannot listen, exits 2, and cleans up.
  const blocker = net.createServer();
  await new Promise((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  try {
    const taken = String(blocker.address().port);
    const failed = await startEmulator({ args: ['--tls-self-signed', '--port', taken] }).then(
      (e) => { e.stop(); assert.fail('started on a taken port'); }, (e) => e.message);
    assert.match(failed, /exited \(2\)/);
    const folder = /self-signed TLS certificate: (\S+)\/cert\.pem/.exec(failed)?.[1];
    assert.ok(folder, failed);
    assert.equal(fs.existsSync(folder), false, `${folder} is left behind`);
  } finally {
    blocker.close();
  }
});

test('--tls-dir keeps the pair, reuses it while it covers the names, renews it when they change', async (t) => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agentemu-tls-dir-')), 'certs');
  t.after(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));
  const fingerprint = (file) => new crypto.X509Certificate(fs.readFileSync(file)).fingerprint256;

  const first = await startEmulator({ args: ['--tls-self-signed', '--tls-dir', dir] });
  const made = await certPaths(first);
  await stopCleanly(first);
  assert.equal(made.cert, path.join(dir, 'cert.pem'));
  assert.equal(made.how, 'kept in --tls-dir');
  assert.ok(fs.existsSync(made.cert) && fs.existsSync(made.key), 'kept after exit');
  assert.equal(fs.statSync(made.key).mode & 0o777, 0o600);
  const original = fingerprint(made.cert);

  const second = await startEmulator({ args: ['--tls-self-signed'], env: { AGENTEMU_TLS_DIR: dir } });
  try {
    const again = await certPaths(second);
    assert.equal(again.how, 'reused from --tls-dir');
    assert.equal(fingerprint(again.cert), original, 'the same certificate, so a client that trusts it keeps trusting it');
    const r = await vendorRequest('bedrock-agentcore.us-west-2.amazonaws.com', second.port, fs.readFileSync(made.cert));
    assert.equal(r.status, 200);
  } finally {
    await stopCleanly(second);
  }

  const third = await startEmulator({ args: ['--tls-self-signed', '--tls-dir', dir, '--tls-host', 'extra.example.test'] });
  try {
    const renewed = await certPaths(third);
    assert.equal(renewed.how, 'kept in --tls-dir');
    assert.notEqual(fingerprint(renewed.cert), original);
    assert.ok(altNames(renewed.cert).includes('DNS:extra.example.test'));
    const r = await vendorRequest('extra.example.test', third.port, fs.readFileSync(renewed.cert));
    assert.equal(r.status, 200);
  } finally {
    await stopCleanly(third);
  }
});

test('a bad --tls-host, or --tls-host without --tls-self-signed, exits 2 with one line', async () => {
  await assert.rejects(startEmulator({ args: ['--tls-self-signed', '--tls-host', 'not a name'] }),
    /exited \(2\)[\s\S]*--tls-host "not a name": not a host name or an IP address/);
  await assert.rejects(startEmulator({ args: ['--tls-host', 'a.example.test'] }),
    /exited \(2\)[\s\S]*--tls-host and --tls-dir go with --tls-self-signed/);
});
