// The live dashboard in a real browser: headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core) signs in on /dashboard and
// watches rows change in place as rates are created, updated and deleted
// over HTTP. It also checks that the page loads nothing from any host but
// the gateway's own loopback address.
//
// Without /usr/bin/chromium the test is skipped, unless CI=true (or 1, as
// e2e_test.go reads it) or E2E_REQUIRED=1: then it fails, so a CI image that
// lost its browser does not pass silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startGateway, gql, adminToken, chromiumSkip, launchChromium, offLoopback } from './lib.mjs';

// rateIs waits until the pair's row shows the rate.
function rateIs(page, pair, rate, timeout) {
  return page.waitForFunction(([p, r]) => {
    const cell = document.querySelector(`tr[data-pair="${p}"] td.rate`);
    return cell !== null && cell.textContent === r;
  }, [pair, rate], { timeout, polling: 50 });
}

// cellText reads one cell of a pair's row.
function cellText(page, pair, cls) {
  return page.locator(`tr[data-pair="${pair}"] td.${cls}`).textContent();
}

function ok(r, what) {
  assert.ok(!r.errors, `${what}: ${JSON.stringify(r.errors)}`);
  return r.data;
}

test('dashboard follows rateChanged live in Chromium', {
  skip: chromiumSkip,
  timeout: 90_000,
}, async (t) => {

  const gw = await startGateway();
  t.after(async () => { await gw.stop(); });
  const token = await adminToken(gw);
  const password = fs.readFileSync(path.join(gw.dataDir, 'admin-password.txt'), 'utf8').trim();
  const demo = ok(await gql(gw.url, '{ exchangeRate(pair: "USDEUR") { rate } }', {}, token), 'exchangeRate').exchangeRate.rate;

  const browser = await launchChromium(t);
  const page = await browser.newPage({ viewport: { width: 1100, height: 820 } });

  const requests = [];
  const sockets = [];
  const pageErrors = [];
  const consoleErrors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('websocket', (ws) => { sockets.push(ws.url()); requests.push(ws.url()); });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });

  // Each socket the page opens, so that the test can drop one; and each
  // subscribe it sends.
  await page.addInitScript(() => {
    const Native = window.WebSocket;
    window.__sockets = [];
    window.WebSocket = function (url, protocols) { const ws = new Native(url, protocols); window.__sockets.push(ws); return ws; };
    window.WebSocket.prototype = Native.prototype;
    Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  });
  const subscribes = [];
  page.on('websocket', (ws) => ws.on('framesent', (f) => {
    try { const m = JSON.parse(String(f.payload)); if (m.type === 'subscribe') subscribes.push(m.payload.variables); } catch { /* not JSON */ }
  }));

  const shotDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fxgw-dashboard-'));
  try {
    const res = await page.goto(gw.url + '/dashboard');
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-security-policy'] ?? '', /default-src 'none'/);
    await page.locator('#signin-panel').waitFor({ state: 'visible' });

    // A wrong password is refused on the form.
    await page.fill('#login', 'admin');
    await page.fill('#password', 'not the password');
    await page.click('#signin');
    await page.waitForFunction(() => document.querySelector('#signin-error').textContent !== '', null, { timeout: 5000 });
    assert.match(await page.textContent('#signin-error'), /wrong login or password/i);

    // Sign in: the table fills from the current values.
    await page.fill('#password', password);
    await page.click('#signin');
    await page.waitForSelector('#status[data-state="connected"]', { timeout: 10_000 });
    await rateIs(page, 'USDEUR', demo, 10_000);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('fxgw.dashboard.token') !== null), true, 'token kept in sessionStorage');
    assert.match(await page.textContent('#whoami'), /admin/);
    const rowsAtStart = await page.locator('#rates-body tr[data-pair]').count();
    const seq0 = Number(await cellText(page, 'USDEUR', 'sequence'));

    // An update over HTTP changes the row in place within 5 s.
    const before = await page.locator('tr[data-pair="USDEUR"]').elementHandle();
    ok(await gql(gw.url, 'mutation { updateExchangeRate(pair: "USDEUR", rate: "0.9123") { rate } }', {}, token), 'updateExchangeRate');
    await rateIs(page, 'USDEUR', '0.9123', 5000);
    assert.equal(await cellText(page, 'USDEUR', 'previous'), demo);
    assert.equal(Number(await cellText(page, 'USDEUR', 'sequence')), seq0 + 1);
    assert.equal(await before.evaluate((tr) => tr.isConnected), true, 'the row was updated in place, not replaced');
    assert.equal(await page.locator('#gap').isHidden(), true, 'no gap for consecutive sequences');

    // A dropped connection resumes after the last cursor: the change made
    // while it was down arrives, with no gap.
    assert.equal(subscribes.at(-1).cur, true, 'the first subscribe asks for the current values');
    await page.evaluate(() => window.__sockets.at(-1).close());
    ok(await gql(gw.url, 'mutation { updateExchangeRate(pair: "USDEUR", rate: "0.9124") { rate } }', {}, token), 'updateExchangeRate');
    await rateIs(page, 'USDEUR', '0.9124', 10_000);
    assert.equal(Number(await cellText(page, 'USDEUR', 'sequence')), seq0 + 2);
    assert.equal(typeof subscribes.at(-1).after, 'string', `the resubscription resumes after a cursor: ${JSON.stringify(subscribes.at(-1))}`);
    assert.equal(subscribes.at(-1).cur, undefined);
    assert.equal(await page.locator('#gap').isHidden(), true, 'no gap across the reconnection');
    await page.waitForSelector('#status[data-state="connected"]', { timeout: 10_000 });

    // A created rate adds a row; deleting it removes the row.
    ok(await gql(gw.url, 'mutation { createExchangeRate(input: {baseCode: "GBP", targetCode: "JPY", rate: "198.25"}) { rate } }', {}, token), 'createExchangeRate');
    await rateIs(page, 'GBPJPY', '198.25', 5000);
    assert.equal(await page.locator('#rates-body tr[data-pair]').count(), rowsAtStart + 1);
    ok(await gql(gw.url, 'mutation { deleteExchangeRate(pair: "GBPJPY") { rate } }', {}, token), 'deleteExchangeRate');
    await page.waitForSelector('tr[data-pair="GBPJPY"]', { state: 'detached', timeout: 5000 });
    assert.equal(await page.locator('#rates-body tr[data-pair]').count(), rowsAtStart);

    // Let the flashes fade, then take the picture.
    await page.waitForTimeout(1600);
    const shot = path.join(shotDir, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`dashboard screenshot: ${shot}`);

    // Sign out: the form comes back and the token is forgotten; the
    // sign-out revokes only the page's own tokens.
    await page.click('#signout');
    await page.locator('#signin-panel').waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => sessionStorage.getItem('fxgw.dashboard.token')), null);
    ok(await gql(gw.url, '{ me { username } }', {}, token), 'the admin token of another device still works after sign-out');

    // A refused token closes with 4403: "sign in again", and no retries.
    await page.evaluate(() => sessionStorage.setItem('fxgw.dashboard.token', 'not-a-token'));
    const opened = sockets.length;
    await page.reload();
    await page.waitForSelector('#status[data-state="closed"]', { timeout: 5000 });
    assert.match(await page.textContent('#status'), /sign in again/i);
    await page.waitForTimeout(1500);
    assert.equal(sockets.length - opened, 1, 'one websocket attempt after 4403, no reconnects');
    assert.equal(await page.locator('#signin-panel').isVisible(), true);

    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    assert.deepEqual(consoleErrors.filter((m) => /Content Security Policy|Refused to/i.test(m)), [], 'no CSP violations');
    assert.deepEqual(offLoopback(requests), [], 'the page talked only to the gateway on loopback');
    assert.ok(requests.some((u) => u.endsWith('/assets/dashboard/dashboard.js')), 'the script came from the gateway');
  } catch (err) {
    const shot = path.join(shotDir, 'failure.png');
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
    console.log(`failure screenshot: ${shot}\nrequests:\n${requests.join("\n")}\ngateway logs:\n${gw.logs()}`);
    throw err;
  }
});
