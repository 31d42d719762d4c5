// AgentCore Browser backed by a real headless Chromium (--browser chromium): sessions started
// through the `bedrock-agentcore` package's Browser client and @aws-sdk/client-bedrock-agentcore,
// driven over the automation stream by puppeteer-core and playwright-core with the headers the
// package signs, a page served here on loopback; stop, timeout, DISABLED, a bad signature and
// the --max-browsers quota.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import crypto from 'node:crypto';
import puppeteer from 'puppeteer-core';
import { chromium } from 'playwright-core';
import {
  GetBrowserSessionCommand, InvokeBrowserCommand, SaveBrowserSessionProfileCommand, StartBrowserSessionCommand,
  StopBrowserSessionCommand, UpdateBrowserStreamCommand,
} from '@aws-sdk/client-bedrock-agentcore';
import { BedrockAgentCoreControlClient, CreateBrowserProfileCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { Browser } from 'bedrock-agentcore/browser';
import { eventually, slowdown, startEmulator, stopCleanly } from '../support/emulator.mjs';
import { BROWSER, TEST_CREDENTIALS, client, rejection, sign } from '../support/agentcore.mjs';

const CHROMIUM = '/usr/bin/chromium';
const TITLE = 'A page served by the test';
let emulator;
let sdk;
let site;
let siteUrl;

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: scripts/test installs Debian's chromium`);
  emulator = await startEmulator({ args: ['--browser', 'chromium', '--chromium', CHROMIUM, '--max-browsers', '2'] });
  sdk = client(emulator.url);
  // The package's Browser client takes no endpoint: the SDK's environment variable points it here.
  process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE = emulator.url;
  site = http.createServer((req, res) => {
    if (req.url === '/login') {
      res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': 'token=remembered; Max-Age=3600; Path=/' });
      res.end('<!doctype html><title>logged in</title>');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><title>${TITLE}</title><h1 style="color:#c00">Hello, browser</h1><input id="q" autofocus>`);
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${site.address().port}/`;
});
after(async () => {
  sdk?.destroy();
  site?.close();
  if (emulator) await stopCleanly(emulator);
});

const packageBrowser = () => new Browser({ region: 'us-east-1', credentialsProvider: async () => TEST_CREDENTIALS });

/**
 * The processes whose command line names this session: its Chromium (the profile directory), the
 * renderers and zygotes, and the crash handlers that leave the browser's process group.
 */
function chromiumsOf(sessionId) {
  const pids = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(sessionId)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function automationEndpoint(sessionId) {
  const out = await sdk.send(new GetBrowserSessionCommand({ browserIdentifier: BROWSER, sessionId }));
  return out.streams.automationStream.streamEndpoint;
}

/** The status agentemu answers a WebSocket upgrade of `endpoint` with these headers (101 when it upgrades). */
function upgradeStatus(endpoint, headers) {
  const url = new URL(endpoint.replace(/^ws/, 'http'));
  return new Promise((resolve, reject) => {
    const req = http.get(url, {
      headers: {
        ...headers, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13',
        'sec-websocket-key': crypto.randomBytes(16).toString('base64'),
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
  });
}

describe('a session driven by puppeteer-core over the automation stream', () => {
  it('opens a loopback page, reads its title, takes a screenshot; stopping ends Chromium and the stream', async () => {
    const browser = packageBrowser();
    const session = await browser.startSession({ viewport: { width: 1024, height: 700 } });
    const endpoint = await automationEndpoint(session.sessionId);
    assert.equal(endpoint, `ws://127.0.0.1:${emulator.port}/browser-streams/${BROWSER}/sessions/${session.sessionId}/automation`);
    assert.ok(chromiumsOf(session.sessionId).length > 0, 'the session has a Chromium running');

    // The package signs for AWS's host; the connection goes to agentemu with that same signed Host.
    const { url, headers } = await browser.generateWebSocketUrl();
    assert.equal(new URL(url).pathname, new URL(endpoint).pathname);
    const remote = await puppeteer.connect({ browserWSEndpoint: endpoint, headers, defaultViewport: null });
    const disconnected = new Promise((resolve) => remote.once('disconnected', resolve));
    const page = await remote.newPage();
    await page.goto(siteUrl);
    assert.equal(await page.title(), TITLE);
    // viewPort is Chromium's window size (README: the page's height is less Chromium's toolbar area).
    assert.deepEqual(await page.evaluate(() => [window.outerWidth, window.outerHeight, window.innerWidth]), [1024, 700, 1024]);
    const png = await page.screenshot();
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

    // The live view: a page with the browser's screenshot, signed like any request.
    const live = `/browser-streams/${BROWSER}/sessions/${session.sessionId}/live-view`;
    const liveRes = await fetch(`${emulator.url}${live}`, { headers: sign({ method: 'GET', host: `127.0.0.1:${emulator.port}`, path: live }) });
    assert.equal(liveRes.status, 200);
    assert.match(liveRes.headers.get('content-type'), /^text\/html/);
    assert.match(await liveRes.text(), /<img [^>]*src="data:image\/png;base64,iVBORw0KGgo/);

    await browser.stopSession();
    await disconnected;
    await eventually(() => chromiumsOf(session.sessionId).length === 0);
    assert.equal(await upgradeStatus(endpoint, (await signedUpgrade(session.sessionId)).headers), 404);
  });
});

/** Signed upgrade headers for a session, the package's way (attachSession + generateWebSocketUrl). */
async function signedUpgrade(sessionId) {
  const browser = packageBrowser();
  browser.attachSession(sessionId);
  return browser.generateWebSocketUrl();
}

describe('the automation stream', () => {
  it('playwright-core connects over CDP with the signed headers', async () => {
    const { sessionId } = await sdk.send(new StartBrowserSessionCommand({ browserIdentifier: BROWSER }));
    try {
      const { headers } = await signedUpgrade(sessionId);
      const remote = await chromium.connectOverCDP(await automationEndpoint(sessionId), { headers });
      const page = await remote.contexts()[0].newPage();
      await page.goto(siteUrl);
      assert.equal(await page.title(), TITLE);
      assert.equal(await page.textContent('h1'), 'Hello, browser');
      await remote.close();
    } finally {
      await sdk.send(new StopBrowserSessionCommand({ browserIdentifier: BROWSER, sessionId }));
    }
  });

  it('DISABLED refuses connections (and drops the open one), ENABLED allows them again', async () => {
    const { sessionId } = await sdk.send(new StartBrowserSessionCommand({ browserIdentifier: BROWSER }));
    try {
      const endpoint = await automationEndpoint(sessionId);
      const remote = await puppeteer.connect({ browserWSEndpoint: endpoint, headers: (await signedUpgrade(sessionId)).headers });
      const dropped = new Promise((resolve) => remote.once('disconnected', resolve));
      const update = (streamStatus) => sdk.send(new UpdateBrowserStreamCommand({
        browserIdentifier: BROWSER, sessionId, streamUpdate: { automationStreamUpdate: { streamStatus } },
      }));
      const disabled = await update('DISABLED');
      assert.equal(disabled.streams.automationStream.streamStatus, 'DISABLED');
      await dropped;
      assert.equal(await upgradeStatus(endpoint, (await signedUpgrade(sessionId)).headers), 403);
      await update('ENABLED');
      assert.equal(await upgradeStatus(endpoint, (await signedUpgrade(sessionId)).headers), 101);
    } finally {
      await sdk.send(new StopBrowserSessionCommand({ browserIdentifier: BROWSER, sessionId }));
    }
  });

  it('a bad signature on the upgrade is refused with 403, an unsigned one too', async () => {
    const { sessionId } = await sdk.send(new StartBrowserSessionCommand({ browserIdentifier: BROWSER }));
    try {
      const endpoint = await automationEndpoint(sessionId);
      const { headers } = await signedUpgrade(sessionId);
      const forged = { ...headers, authorization: headers.authorization.replace(/Signature=\w+/, `Signature=${'0'.repeat(64)}`) };
      assert.equal(await upgradeStatus(endpoint, forged), 403);
      assert.equal(await upgradeStatus(endpoint, {}), 403);
      assert.equal(await upgradeStatus(endpoint, headers), 101);
    } finally {
      await sdk.send(new StopBrowserSessionCommand({ browserIdentifier: BROWSER, sessionId }));
    }
  });
});

describe('InvokeBrowser and browser profiles', () => {
  it('InvokeBrowser types into the page and takes a screenshot', async () => {
    const { sessionId } = await sdk.send(new StartBrowserSessionCommand({ browserIdentifier: BROWSER }));
    try {
      const remote = await puppeteer.connect({ browserWSEndpoint: await automationEndpoint(sessionId), headers: (await signedUpgrade(sessionId)).headers });
      const [page] = await remote.pages();
      await page.goto(siteUrl);
      const invoke = (action) => sdk.send(new InvokeBrowserCommand({ browserIdentifier: BROWSER, sessionId, action }));
      const box = await (await page.$('#q')).boundingBox();
      await page.$eval('#q', (e) => e.blur());
      const clicked = await invoke({ mouseClick: { x: Math.round(box.x + box.width / 2), y: Math.round(box.y + box.height / 2) } });
      assert.equal(clicked.result.mouseClick.status, 'SUCCESS');
      assert.equal(clicked.sessionId, sessionId);
      assert.equal((await invoke({ keyType: { text: 'agentemu' } })).result.keyType.status, 'SUCCESS');
      await invoke({ keyPress: { key: 'Backspace', presses: 2 } });
      assert.equal(await page.$eval('#q', (e) => e.value), 'agente');
      const shot = await invoke({ screenshot: { format: 'PNG' } });
      assert.equal(shot.result.screenshot.status, 'SUCCESS');
      assert.deepEqual([...shot.result.screenshot.data.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
      remote.disconnect();
    } finally {
      await sdk.send(new StopBrowserSessionCommand({ browserIdentifier: BROWSER, sessionId }));
    }
  });

  it('SaveBrowserSessionProfile keeps the cookies, and profileConfiguration brings them back', async () => {
    const control = new BedrockAgentCoreControlClient({ region: 'us-east-1', endpoint: emulator.url, credentials: TEST_CREDENTIALS });
    const { profileId } = await control.send(new CreateBrowserProfileCommand({ name: 'logged_in' }));
    control.destroy();
    const connect = async (sessionId) => puppeteer.connect({ browserWSEndpoint: await automationEndpoint(sessionId), headers: (await signedUpgrade(sessionId)).headers });

    const first = await sdk.send(new StartBrowserSessionCommand({ browserIdentifier: BROWSER }));
    const remote = await connect(first.sessionId);
    const page = await remote.newPage();
    await page.goto(`${siteUrl}login`);
    const saved = await sdk.send(new SaveBrowserSessionProfileCommand({ profileIdentifier: profileId, browserIdentifier: BROWSER, sessionId: first.sessionId }));
    assert.equal(saved.profileIdentifier, profileId);
    assert.ok(saved.lastUpdatedAt instanceof Date);
    remote.disconnect();
    await sdk.send(new StopBrowserSessionCommand({ browserIdentifier: BROWSER, sessionId: first.sessionId }));

    const second = await sdk.send(new StartBrowserSessionCommand({ browserIdentifier: BROWSER, profileConfiguration: { profileIdentifier: profileId } }));
    try {
      const again = await connect(second.sessionId);
      const fresh = await again.newPage();
      await fresh.goto(siteUrl);
      assert.equal(await fresh.evaluate(() => document.cookie), 'token=remembered');
      again.disconnect();
    } finally {
      await sdk.send(new StopBrowserSessionCommand({ browserIdentifier: BROWSER, sessionId: second.sessionId }));
    }
    const unknown = await rejection(sdk.send(new SaveBrowserSessionProfileCommand({ profileIdentifier: 'nobody-a1b2c3d4e5', browserIdentifier: BROWSER, sessionId: second.sessionId })));
    assert.equal(unknown.name, 'ResourceNotFoundException');
  });
});

describe('limits and ends', () => {
  it('--max-browsers 2: a third session is ServiceQuotaExceededException until one stops', async () => {
    const start = () => sdk.send(new StartBrowserSessionCommand({ browserIdentifier: BROWSER }));
    const stop = (sessionId) => sdk.send(new StopBrowserSessionCommand({ browserIdentifier: BROWSER, sessionId }));
    const first = await start();
    const second = await start();
    try {
      const error = await rejection(start());
      assert.equal(error.name, 'ServiceQuotaExceededException');
      await stop(first.sessionId);
      const third = await start();
      // A browser that dies by itself frees its place too; its session is left without one.
      for (const pid of chromiumsOf(third.sessionId)) process.kill(pid, 'SIGKILL');
      await eventually(() => chromiumsOf(third.sessionId).length === 0);
      const fourth = await eventually(async () => start().catch(() => false));
      assert.equal(await upgradeStatus(await automationEndpoint(third.sessionId), (await signedUpgrade(third.sessionId)).headers), 404);
      await stop(third.sessionId);
      await stop(fourth.sessionId);
    } finally {
      await stop(second.sessionId);
    }
  });

  it('a session that times out ends its Chromium', async () => {
    const { sessionId } = await sdk.send(new StartBrowserSessionCommand({ browserIdentifier: BROWSER, sessionTimeoutSeconds: 3 }));
    assert.ok(chromiumsOf(sessionId).length > 0);
    await eventually(() => chromiumsOf(sessionId).length === 0, { timeoutMs: 10000 * slowdown });
    const got = await sdk.send(new GetBrowserSessionCommand({ browserIdentifier: BROWSER, sessionId }));
    assert.equal(got.status, 'TERMINATED');
  });

  it("agentemu's exit ends every Chromium it started", async () => {
    const own = await startEmulator({ args: ['--browser', 'chromium', '--chromium', CHROMIUM] });
    const ownSdk = client(own.url);
    try {
      const { sessionId } = await ownSdk.send(new StartBrowserSessionCommand({ browserIdentifier: BROWSER }));
      assert.ok(chromiumsOf(sessionId).length > 0);
      await stopCleanly(own);
      await eventually(() => chromiumsOf(sessionId).length === 0);
    } finally {
      ownSdk.destroy();
      await own.stop();
    }
  });
});
