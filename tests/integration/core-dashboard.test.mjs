// The dashboard at /_emulator/ui/: its files from the binary, guarded by the admin token, and the
// page itself in a real headless Chromium (Debian's, driven by puppeteer-core): it loads without
// a console error, shows a request the test sends, deletes a rule and moves the clock through
// the admin API. A screenshot of the run is kept beside the binary (dashboard.png).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { binary, startEmulator, stopCleanly, call, eventually, slowdown } from '../support/emulator.mjs';
import { zegoClient } from '../support/zego.mjs';

const TOKEN = 'ui-s3cret';
const bearer = { authorization: `Bearer ${TOKEN}` };
const basic = (password) => ({ authorization: `Basic ${Buffer.from(`anyone:${password}`).toString('base64')}` });
const CHROMIUM = '/usr/bin/chromium';
const AGENT = '550e8400-e29b-41d4-a716-446655440000';

let emu;
before(async () => { emu = await startEmulator({ args: ['--admin-token', TOKEN] }); });
after(async () => stopCleanly(emu));

const admin = (p, options = {}) => call(`${emu.url}/_emulator${p}`, { ...options, headers: { ...bearer, ...options.headers } });

test('the page, its style and its script come from the binary, with a policy that allows nothing else', async () => {
  for (const [p, type] of [['/ui/', /^text\/html/], ['/ui', /^text\/html/], ['/ui/app.js', /^text\/javascript/], ['/ui/app.css', /^text\/css/]]) {
    const r = await admin(p);
    assert.equal(r.status, 200, p);
    assert.match(r.headers.get('content-type'), type);
    assert.match(r.headers.get('content-security-policy'), /default-src 'none'; script-src 'self'/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  }
  const page = await admin('/ui/');
  assert.doesNotMatch(page.text, /https?:\/\//, 'no CDN, nothing from outside');
  assert.match(page.text, /<section id="callbacks" class="panel" hidden>/, 'the place the callbacks panel takes');
  const missing = await admin('/ui/nothing.js');
  assert.equal(missing.status, 404);
});

test('the token guards the page too: a browser is asked for it as a password (Basic), and changes must come from the page', async () => {
  const anonymous = await call(`${emu.url}/_emulator/ui/`);
  assert.equal(anonymous.status, 401);
  assert.match(anonymous.headers.get('www-authenticate'), /Basic realm="agentemu"/);
  assert.match((await call(`${emu.url}/_emulator/health`)).headers.get('www-authenticate'), /^Bearer realm="agentemu", Basic realm="agentemu"$/,
    'every endpoint: the browser answers from its cache for the calls the page makes');
  assert.equal((await call(`${emu.url}/_emulator/ui/`, { headers: basic('wrong') })).status, 401);
  assert.equal((await call(`${emu.url}/_emulator/ui/`, { headers: basic(TOKEN) })).status, 200);
  assert.equal((await call(`${emu.url}/_emulator/health`, { headers: basic(TOKEN) })).status, 200);
  const foreign = await call(`${emu.url}/_emulator/reset`, { method: 'POST', headers: { ...basic(TOKEN), origin: 'http://evil.example' } });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.json.error, 'cross_origin');
  const own = await call(`${emu.url}/_emulator/reset`, { method: 'POST', headers: { ...basic(TOKEN), origin: emu.url } });
  assert.equal(own.status, 200);
  const script = await call(`${emu.url}/_emulator/reset`, { method: 'POST', headers: { ...bearer, origin: 'http://evil.example' } });
  assert.equal(script.status, 200, 'a Bearer token is never sent by a browser on its own');
});

test('in Chromium: no console error, a request appears, a rule is deleted and the clock moved from the page', { timeout: 180_000 }, async () => {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: scripts/test installs Debian's chromium`);
  await admin('/reset', { method: 'POST' });
  const rules = { rules: [
    { name: 'stop-503', match: { vendor: 'rest', operation: 'StopAgent' }, when: { calls: '1' }, respond: { status: 503, body: { error: 'busy' } } },
    { name: 'slow-list', match: { vendor: 'rest', operation: 'ListAgents' }, delayMs: 5, respond: 'pass' },
  ] };
  assert.equal((await admin('/scenarios/dashboard-demo', { method: 'PUT', json: rules })).status, 200);
  await call(`${emu.url}/agents/${AGENT}/stop`, { method: 'POST', json: { graceful: false } });
  await zegoClient(emu.url).send('ListAgents', {});
  await call(`${emu.url}/?Action=DescribeAIAgentInstance&Version=2020-11-09`);
  await call(`${emu.url}/agent/${AGENT}`);

  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'agentemu-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: false,  // the flags below say --headless themselves
    userDataDir: profile,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--window-size=1440,900'],
  });
  const problems = [];
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1440, height: 900 });
    page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
    page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
    await page.authenticate({ username: 'agentemu', password: TOKEN });
    await page.goto(`${emu.url}/_emulator/ui/`, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 * slowdown });

    // A request sent now shows up without a reload.
    await call(`${emu.url}/agents?marker=from-the-test`);
    const row = await page.waitForFunction(() => [...document.querySelectorAll('#journal-table tbody tr')]
      .find((tr) => tr.children[2]?.textContent === 'rest' && tr.children[3]?.textContent === 'ListAgents'),
    { timeout: 10_000 * slowdown });
    await row.evaluate((tr) => tr.click());
    await page.waitForFunction(() => document.querySelector('#detail')?.textContent.includes('marker=from-the-test'));
    // The unclaimed request's diagnosis names the operation it nearly was.
    const unclaimed = await page.waitForFunction(() => [...document.querySelectorAll('#journal-table tbody tr')]
      .find((tr) => tr.children[2]?.textContent === 'none'));
    await unclaimed.evaluate((tr) => tr.click());
    await page.waitForFunction(() => document.querySelector('#detail .summary')?.textContent.includes('rest GetAgent'));
    fs.mkdirSync(path.dirname(binary), { recursive: true });
    await page.screenshot({ path: path.join(path.dirname(binary), 'dashboard.png') });

    // Each vendor's state as tables.
    await page.click('button[data-tab="state"]');
    await page.waitForFunction(() => document.querySelector('#state h2')?.textContent === 'agentcore' &&
      document.querySelectorAll('#state table').length > 0);

    // A rule deleted from the page is gone from the API.
    await page.click('button[data-tab="scenarios"]');
    await page.waitForSelector('#scenarios .card[data-scenario="dashboard-demo"] button.danger', { visible: true });
    // Clicked in the page, at once: a poll may redraw the card between finding and clicking it.
    await page.$eval('#scenarios .card[data-scenario="dashboard-demo"] button.danger', (button) => button.click());
    await eventually(async () => (await admin('/scenarios')).json.scenarios.length === 0);
    await page.waitForFunction(() => !document.querySelector('#scenarios .card'));

    // The clock moved from the page moves.
    await page.type('#clock-input', '+1h');
    await page.click('#clock-move');
    await eventually(async () => (await admin('/clock')).json.offsetSeconds === 3600);
    await page.waitForFunction(() => document.querySelector('#clock-offset').textContent.includes('3600'));
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  assert.deepEqual(problems, []);
});
