// The container image without a container runtime: a fresh Debian 12 root file system from
// debootstrap gets exactly what the Dockerfile's final stage installs (its RUN steps, replayed)
// and copies (the release binary and the fixtures), then agentemu starts in it with chroot as the
// image's USER, ENV, WORKDIR and ENTRYPOINT say, in a network namespace of its own so it listens on
// 0.0.0.0:4599 as in a container, and the image's own HEALTHCHECK answers. The same run shows the
// binary needs nothing on a fresh Debian 12 but what the image installs.
//
// The debootstrap result is cached in build/image, keyed by the final stage's steps up to its
// first COPY; a warm run copies it and takes seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sourceDir, eventually } from '../support/emulator.mjs';
import { parseDockerfile, dockerignoreMatcher } from '../support/dockerfile.mjs';

const imageDir = path.join(sourceDir, 'build/image');
const releaseDir = path.join(sourceDir, 'build');
// Docker's PATH for a Linux image, which RUN, CMD and HEALTHCHECK all get.
const DOCKER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Runs a command; resolves {code, stdout, stderr}. Throws on a non-zero exit unless `check` is false. */
function run(command, args, { env = process.env, check = true, timeoutMs = 20 * 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? signal, stdout, stderr };
      if (check && code !== 0) reject(new Error(`${command} ${args.join(' ')} exited ${code ?? signal}\n${stderr.slice(-3000)}`));
      else resolve(result);
    });
  });
}

// The Debian mirror and security mirror this machine's apt uses (deb822 .sources or one-line .list).
function hostMirrors() {
  const entries = [];
  const dir = '/etc/apt/sources.list.d';
  const files = ['/etc/apt/sources.list', ...(fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : [])];
  for (const file of files.filter((f) => /\.(list|sources)$/.test(f) && fs.existsSync(f))) {
    const text = fs.readFileSync(file, 'utf8');
    if (file.endsWith('.sources')) {
      for (const block of text.split(/\n\s*\n/)) {
        const field = (name) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(block)?.[1].trim().split(/\s+/) ?? [];
        if (field('Types').includes('deb')) entries.push({ uris: field('URIs'), suites: field('Suites') });
      }
    } else {
      for (const line of text.split('\n')) {
        const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line.trim());
        if (m) entries.push({ uris: [m[1]], suites: [m[2]] });
      }
    }
  }
  const find = (suite) => entries.find((e) => e.suites.includes(suite))?.uris[0];
  const mirror = find('bookworm');
  assert.ok(mirror, 'this machine\'s apt sources name no bookworm mirror');
  return { mirror, security: find('bookworm-security') ?? 'http://deb.debian.org/debian-security' };
}

// The apt sources of the debian:12 image (bookworm, -updates, -security), at this machine's mirrors.
function imageSources({ mirror, security }) {
  const keyring = '/usr/share/keyrings/debian-archive-keyring.gpg';
  return `Types: deb\nURIs: ${mirror}\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: ${keyring}\n\n`
    + `Types: deb\nURIs: ${security}\nSuites: bookworm-security\nComponents: main\nSigned-By: ${keyring}\n`;
}

/** Runs `script` with sh in a private mount namespace, so whatever it mounts vanishes with it. */
function inMountNamespace(script, args, options) {
  return run('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-ec', script, 'sh', ...args], options);
}

// RUN as docker build runs it: /bin/sh -c in the root file system, with /proc, the image's ENV so
// far and the host's resolver.
async function replayRun(root, command, env) {
  fs.copyFileSync('/etc/resolv.conf', path.join(root, 'etc/resolv.conf'));
  const envArgs = Object.entries({ PATH: DOCKER_PATH, HOME: '/root', ...env }).map(([k, v]) => `${k}=${v}`);
  await inMountNamespace('root=$1; shift; mount -t proc proc "$root/proc"; exec env -i "$@"',
    [root, ...envArgs, 'chroot', root, '/bin/sh', '-c', command]);
}

// The base: debootstrap's minbase (what debian:12-slim is made from) plus the final stage's steps
// before its first COPY. Built under a temporary name and renamed, so a broken run is never cached.
async function baseRootfs(stage) {
  const firstCopy = stage.steps.findIndex((s) => s.op === 'COPY');
  const cached = stage.steps.slice(0, firstCopy < 0 ? stage.steps.length : firstCopy);
  assert.ok(cached.every((s) => ['RUN', 'ENV'].includes(s.op)), 'the steps before the first COPY are RUN or ENV');
  const key = crypto.createHash('sha256').update(JSON.stringify([stage.image, cached.map((s) => [s.op, s.text])]))
    .digest('hex').slice(0, 16);
  const root = path.join(imageDir, `rootfs-${key}`);
  if (fs.existsSync(path.join(root, '.agentemu-complete'))) return { root, cold: false };

  fs.mkdirSync(imageDir, { recursive: true });
  for (const old of fs.readdirSync(imageDir).filter((f) => f.startsWith('rootfs-'))) {
    fs.rmSync(path.join(imageDir, old), { recursive: true, force: true });
  }
  const partial = `${root}.partial`;
  const mirrors = hostMirrors();
  // One more try after a failure: a mirror that drops a connection should not fail the suite.
  const debootstrap = () => {
    fs.rmSync(partial, { recursive: true, force: true });
    return inMountNamespace('exec debootstrap --variant=minbase bookworm "$1" "$2"', [partial, mirrors.mirror]);
  };
  await debootstrap().catch(debootstrap);
  fs.rmSync(path.join(partial, 'etc/apt/sources.list'), { force: true });
  fs.writeFileSync(path.join(partial, 'etc/apt/sources.list.d/debian.sources'), imageSources(mirrors));
  const env = {};
  for (const step of cached) {
    if (step.op === 'ENV') Object.assign(env, step.env);
    else await replayRun(partial, step.text, env);
  }
  fs.writeFileSync(path.join(partial, '.agentemu-complete'), `${new Date().toISOString()}\n`);
  fs.renameSync(partial, root);
  return { root, cold: true };
}

// Where a path of the build stage lives here: its WORKDIR is this checkout.
function buildStagePath(buildStage, source) {
  const workdir = buildStage.steps.filter((s) => s.op === 'WORKDIR').at(-1)?.text ?? '/';
  const relative = path.posix.relative(workdir, source);
  assert.ok(!relative.startsWith('..'), `${source} is outside the build stage's WORKDIR ${workdir}`);
  return path.join(sourceDir, relative);
}

/** Replays the final stage's steps from its first COPY on; returns the image's configuration. */
async function applyImageSteps(root, stage, stages) {
  const config = { env: {}, user: 'root', workdir: '/', entrypoint: [], cmd: [], healthcheck: null, expose: [] };
  for (const step of stage.steps) {
    if (step.op === 'ENV') Object.assign(config.env, step.env);
    if (step.op === 'USER') config.user = step.text;
    if (step.op === 'WORKDIR') config.workdir = path.posix.resolve(config.workdir, step.text);
    if (step.op === 'EXPOSE') config.expose.push(...step.text.split(/\s+/));
    if (step.op === 'HEALTHCHECK') config.healthcheck = step;
    if (step.op === 'ENTRYPOINT') config.entrypoint = step.exec;
    if (step.op === 'CMD') config.cmd = step.exec;
  }
  const firstCopy = stage.steps.findIndex((s) => s.op === 'COPY');
  for (const step of stage.steps.slice(firstCopy)) {
    if (step.op === 'RUN') await replayRun(root, step.text, config.env);
    if (step.op !== 'COPY') continue;
    const from = stages.find((s) => s.name === step.flags.from);
    assert.ok(from, `line ${step.line}: COPY copies from a build stage (--from=NAME)`);
    assert.ok(!step.flags.chown && !step.flags.chmod, `line ${step.line}: --chown/--chmod are not replayed`);
    for (const source of step.sources) {
      const here = buildStagePath(from, source);
      const target = path.join(root, step.dest);
      // Docker copies a folder's contents; a file goes into a DEST ending in '/', else to DEST.
      if (fs.statSync(here).isDirectory()) {
        fs.mkdirSync(target, { recursive: true });
        fs.cpSync(here, target, { recursive: true });
      } else {
        const file = step.dest.endsWith('/') ? path.join(target, path.basename(here)) : target;
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.copyFileSync(here, file);
      }
    }
  }
  return config;
}

// USER as numbers, names looked up in the image's own passwd and group files.
function resolveUser(root, user) {
  const [name, group] = user.split(':');
  const lookup = (file, key) => {
    if (/^\d+$/.test(key)) return Number(key);
    const line = fs.readFileSync(path.join(root, file), 'utf8').split('\n').find((l) => l.split(':')[0] === key);
    assert.ok(line, `${key} is not in the image's /${file}`);
    return Number(line.split(':')[2]);
  };
  const uid = lookup('etc/passwd', name);
  const entry = fs.readFileSync(path.join(root, 'etc/passwd'), 'utf8').split('\n').find((l) => Number(l.split(':')[2]) === uid);
  const gid = group !== undefined ? lookup('etc/group', group) : Number(entry?.split(':')[3] ?? uid);
  return { uid, gid, home: entry?.split(':')[5] ?? '/' };
}

// The environment a container gets: Docker's PATH and HOSTNAME, HOME from the user, the image's
// ENV, then `docker run -e` overrides.
function containerEnv(config, user, overrides = {}) {
  return { PATH: DOCKER_PATH, HOSTNAME: 'agentemu-test', HOME: user.home, ...config.env, ...overrides };
}

/**
 * Starts the image's ENTRYPOINT + CMD in a network namespace of its own (loopback only) and a
 * private mount namespace with /proc and the given bind mounts (volumes), as USER in WORKDIR.
 */
function startContainer(root, config, user, { env = {}, volumes = [] } = {}) {
  const mounts = volumes.map(([host, inside]) => `mount --bind "${host}" "$root${inside}"`).join('\n');
  const script = `root=$1; shift\nip link set lo up\nmount -t proc proc "$root/proc"\n${mounts}\nexec env -i "$@"`;
  const envArgs = Object.entries(containerEnv(config, user, env)).map(([k, v]) => `${k}=${v}`);
  const child = spawn('unshare', ['--net', '--mount', '--propagation', 'private', '--', 'sh', '-ec', script, 'sh', root,
    ...envArgs, 'chroot', `--userspec=${user.uid}:${user.gid}`, root,
    '/usr/bin/env', `--chdir=${config.workdir}`, '--', ...config.entrypoint, ...config.cmd],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => { stdout += c; });
  child.stderr.on('data', (c) => { stderr += c; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

// `docker exec`: a command in the container's namespaces and root, as its user, with its env.
function execInContainer(container, root, config, user, argv, env = {}) {
  const envArgs = Object.entries(containerEnv(config, user, env)).map(([k, v]) => `${k}=${v}`);
  return run('nsenter', ['--target', String(container.child.pid), '--net', '--mount', '--', 'env', '-i', ...envArgs,
    'chroot', `--userspec=${user.uid}:${user.gid}`, root, '/usr/bin/env', `--chdir=${config.workdir}`, '--', ...argv],
  { check: false, timeoutMs: 30_000 });
}

// An HTTP GET from inside the container's network namespace, with this Node.
async function getInside(container, url) {
  const script = `const r = await fetch(${JSON.stringify(url)}); process.stdout.write(JSON.stringify({status: r.status, body: await r.text()}));`;
  const { stdout } = await run('nsenter', ['--target', String(container.child.pid), '--net', '--',
    process.execPath, '--input-type=module', '-e', script], { timeoutMs: 30_000 });
  const { status, body } = JSON.parse(stdout);
  return { status, json: JSON.parse(body) };
}

// Every source file the release build read (compiled sources, headers, CMake files) is in the
// image's build context: not excluded by .dockerignore and under what the build stage copies.
async function assertBuildContextComplete(buildStage) {
  const ignored = dockerignoreMatcher(fs.readFileSync(path.join(sourceDir, '.dockerignore'), 'utf8'));
  const copied = buildStage.steps.filter((s) => s.op === 'COPY').flatMap((s) => s.sources);
  const deps = await run('ninja', ['-C', releaseDir, '-t', 'deps']);
  const cmake = await run('ninja', ['-C', releaseDir, '-t', 'query', 'build.ninja']);
  const files = new Set();
  for (const line of `${deps.stdout}\n${cmake.stdout}`.split('\n')) {
    const entry = line.trim().replace(/^\|+\s*/, '');
    if (!entry || entry.endsWith(':') || entry.includes(': #deps')) continue;
    const file = path.resolve(releaseDir, entry);  // ninja names files relative to the build folder
    if (!file.startsWith(`${sourceDir}/`) || file.startsWith(`${releaseDir}/`)) continue;
    files.add(path.relative(sourceDir, file));
  }
  assert.ok(files.size > 50, `the build's inputs were read (${files.size})`);
  const missing = [...files].filter((file) => ignored(file)
    || !copied.some((src) => src === '.' || file === src || file.startsWith(`${src.replace(/\/$/, '')}/`)));
  assert.deepEqual(missing, [], 'files the release build reads but the image\'s build context leaves out');
}

test('the image\'s final stage, replayed on a fresh Debian 12, serves and is healthy', { timeout: 25 * 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'debootstrap and chroot need root (scripts/test runs as root)');
  const stages = parseDockerfile(fs.readFileSync(path.join(sourceDir, 'Dockerfile'), 'utf8'));
  const final = stages.at(-1);
  assert.match(final.image, /^debian:12(-slim)?$/, 'the image is Debian 12');
  const buildStage = stages.find((s) => s.name && final.steps.some((x) => x.op === 'COPY' && x.flags.from === s.name));
  assert.ok(buildStage, 'the final stage copies from a build stage');
  assert.ok(stages.indexOf(buildStage) < stages.length - 1);

  // The build stage builds as scripts/run does; here that is build/ in this checkout.
  const buildCall = buildStage.steps.filter((s) => s.op === 'RUN').map((s) => /\bbuild (\S+) Release OFF OFF agentemu\b/.exec(s.text)).find(Boolean);
  assert.ok(buildCall, 'the build stage runs scripts/lib/common.sh\'s build ... Release OFF OFF agentemu');
  assert.equal(buildStagePath(buildStage, buildCall[1]), releaseDir);
  const started = Date.now();
  await run('bash', ['-c', 'source "$1/scripts/lib/common.sh" && build "$ROOT/build" Release OFF OFF agentemu', 'bash', sourceDir])
    .catch((e) => { throw new Error(`release build: ${e.message}`); });
  await assertBuildContextComplete(buildStage);

  const base = await baseRootfs(final);
  const root = path.join(imageDir, 'run');
  fs.rmSync(root, { recursive: true, force: true });
  await run('cp', ['-a', base.root, root]);
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const config = await applyImageSteps(root, final, stages);
  t.diagnostic(`root file system ${base.cold ? 'built by debootstrap' : 'from the cache'}; ready in ${Math.round((Date.now() - started) / 1000)} s`);

  const user = resolveUser(root, config.user);
  assert.notEqual(user.uid, 0, 'the image runs as a non-root user');
  assert.equal(config.env.AGENTEMU_HOST, '0.0.0.0');
  assert.deepEqual(config.expose, [config.env.AGENTEMU_PORT]);
  assert.ok(config.healthcheck, 'the image has a HEALTHCHECK');
  assert.ok(fs.existsSync(path.join(root, config.env.AGENTEMU_FIXTURES, 'default.json')), 'the default fixtures are where AGENTEMU_FIXTURES says');
  // From the build, the image takes the release binary and the default fixtures, nothing else.
  const copied = final.steps.filter((s) => s.op === 'COPY').flatMap((s) => s.sources)
    .map((source) => path.relative(sourceDir, buildStagePath(buildStage, source)));
  assert.deepEqual(copied.sort(), ['build/agentemu', 'fixtures']);

  await t.test('defaults: 0.0.0.0:4599 as the image user, default fixtures, the HEALTHCHECK passes', async () => {
    const container = startContainer(root, config, user);
    try {
      const line = await eventually(() => /agentemu listening on (\S+)\n/.exec(container.stdout()),
        { timeoutMs: 15_000 }).catch(() => { throw new Error(`no listening line\n${container.stderr()}`); });
      assert.equal(line[1], 'http://0.0.0.0:4599');
      const status = fs.readFileSync(`/proc/${container.child.pid}/status`, 'utf8');
      assert.match(status, new RegExp(`^Uid:\\s+${user.uid}\\s`, 'm'), 'agentemu runs as the image\'s USER');

      const probe = await execInContainer(container, root, config, user, config.healthcheck.exec);
      assert.equal(probe.code, 0, `HEALTHCHECK failed: ${probe.stderr}`);
      const wrongPort = await execInContainer(container, root, config, user, config.healthcheck.exec, { AGENTEMU_PORT: '1' });
      assert.notEqual(wrongPort.code, 0, 'the HEALTHCHECK fails when nothing answers');

      const health = await getInside(container, 'http://127.0.0.1:4599/_emulator/health');
      assert.equal(health.status, 200);
      assert.deepEqual([...health.json.vendors].sort(), ['agentcore', 'ice', 'rest', 'zego']);
      const state = await getInside(container, 'http://127.0.0.1:4599/_emulator/state?vendor=rest');
      assert.match(JSON.stringify(state.json), /550e8400-e29b-41d4-a716-446655440000/, 'the default fixtures are loaded');

      container.child.kill('SIGTERM');  // docker stop
      assert.equal(await container.exited, 0, container.stderr());
    } finally {
      container.child.kill('SIGKILL');
    }
  });

  await t.test('volumes and AGENTEMU_* variables: a fixture beside the defaults, a scenarios folder, another port, an admin token', async () => {
    const volumes = fs.mkdtempSync(path.join(os.tmpdir(), 'agentemu-image-volumes-'));
    t.after(() => fs.rmSync(volumes, { recursive: true, force: true }));
    const extra = path.join(volumes, 'zz-extra.json');
    fs.writeFileSync(extra, JSON.stringify({ rest: { agents: [{ agentId: '9b2f0c1e-1111-4222-8333-444455556666', name: 'Mounted', status: 'inactive' }] } }));
    fs.mkdirSync(path.join(volumes, 'scenarios'));
    fs.writeFileSync(path.join(volumes, 'scenarios/mounted.json'),
      JSON.stringify({ rules: [{ match: { vendor: 'rest', operation: 'GetAgent' }, respond: { error: 'Agent not found' } }] }));
    fs.chmodSync(volumes, 0o755);
    fs.writeFileSync(path.join(root, 'fixtures/zz-extra.json'), '');  // the file a bind mount needs to land on
    const env = { AGENTEMU_PORT: '4600', AGENTEMU_ADMIN_TOKEN: 'image-test-token', AGENTEMU_LOG_LEVEL: 'warn' };
    const container = startContainer(root, config, user, {
      env, volumes: [[extra, '/fixtures/zz-extra.json'], [path.join(volumes, 'scenarios'), '/scenarios']],
    });
    try {
      await eventually(() => /agentemu listening on http:\/\/0\.0\.0\.0:4600\n/.test(container.stdout()),
        { timeoutMs: 15_000 }).catch(() => { throw new Error(`no listening line\n${container.stderr()}`); });
      const probe = await execInContainer(container, root, config, user, config.healthcheck.exec, env);
      assert.equal(probe.code, 0, `HEALTHCHECK with the token and port from the environment: ${probe.stderr}`);
      const withoutToken = await execInContainer(container, root, config, user, config.healthcheck.exec, { AGENTEMU_PORT: '4600' });
      assert.notEqual(withoutToken.code, 0, 'a health answer of 401 is not healthy');

      const script = `const h = {authorization: 'Bearer image-test-token'};
        const get = async (p) => (await fetch('http://127.0.0.1:4600' + p, {headers: h})).json();
        process.stdout.write(JSON.stringify({state: await get('/_emulator/state?vendor=rest'), scenarios: await get('/_emulator/scenarios')}));`;
      const { stdout } = await run('nsenter', ['--target', String(container.child.pid), '--net', '--',
        process.execPath, '--input-type=module', '-e', script], { timeoutMs: 30_000 });
      const seen = JSON.parse(stdout);
      const agents = JSON.stringify(seen.state);
      assert.match(agents, /9b2f0c1e-1111-4222-8333-444455556666/, 'the mounted fixture applies');
      assert.match(agents, /550e8400-e29b-41d4-a716-446655440000/, 'after the defaults');
      assert.match(JSON.stringify(seen.scenarios), /"mounted"/, 'the mounted scenarios folder is loaded');
      container.child.kill('SIGTERM');
      assert.equal(await container.exited, 0, container.stderr());
    } finally {
      container.child.kill('SIGKILL');
    }
  });
});
