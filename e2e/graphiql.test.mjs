// GraphiQL at / in a real browser, under the page's strict
// Content-Security-Policy: the editor renders, introspection fills the
// docs explorer, a query runs, and the browser reports no CSP violation.
//
// Without /usr/bin/chromium the test is skipped, unless CI=true (or 1) or
// E2E_REQUIRED=1: then it fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, chromiumSkip, launchChromium, offLoopback, adminToken, gql } from './lib.mjs';

test('GraphiQL runs a query under its CSP in Chromium', {
  skip: chromiumSkip,
  timeout: 90_000,
}, async (t) => {
  const gw = await startGateway();
  t.after(async () => { await gw.stop(); });

  const head = await fetch(gw.url + '/');
  const csp = head.headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.equal(head.headers.get('x-frame-options'), 'DENY');

  const browser = await launchChromium(t);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const violations = [];
  const pageErrors = [];
  const finishedElsewhere = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text()); });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('requestfinished', (r) => finishedElsewhere.push(...offLoopback([r.url()])));

  // GraphiQL introspects the schema at start: wait for that answer.
  const introspected = page.waitForResponse((r) => r.url().endsWith('/graphql') && r.status() === 200, { timeout: 30_000 });
  const res = await page.goto(gw.url + '/');
  assert.equal(res.status(), 200);
  await page.waitForSelector('.graphiql-container', { timeout: 30_000 });
  await introspected;
  if (process.env.E2E_SCREENSHOT_DIR) await page.screenshot({ path: process.env.E2E_SCREENSHOT_DIR + '/graphiql.png' });
  const answer = await page.evaluate(async () => {
    const r = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    return r.json();
  });
  assert.deepEqual(answer, { data: { __typename: 'Query' } });

  // The Headers pane is open at start, and what is typed there survives a
  // reload (shouldPersistHeaders).
  const headersEditor = page.locator('.graphiql-editor-tool .graphiql-editor').last();
  assert.ok(await headersEditor.isVisible(), 'the headers editor is visible at start');
  await headersEditor.click();
  await page.keyboard.type('{"X-Test": "kept"}');
  await page.waitForTimeout(700); // GraphiQL stores editors after a short debounce
  await page.reload();
  await page.waitForSelector('.graphiql-container', { timeout: 30_000 });
  const persisted = await page.evaluate(() => Object.values(localStorage).join(' '));
  assert.match(persisted, /X-Test/, 'the headers were kept across the reload');
  assert.match(await page.locator('.graphiql-editor-tool').last().innerText(), /X-Test/, 'the kept headers are shown after the reload');
  assert.deepEqual(violations, [], 'CSP violations');
  assert.deepEqual(pageErrors, [], 'page errors');
  assert.deepEqual(finishedElsewhere, [], 'requests that reached a host other than the gateway');
});

test('GraphiQL runs a subscription over the websocket with the Headers pane token', {
  skip: chromiumSkip,
  timeout: 90_000,
}, async (t) => {
  const gw = await startGateway();
  t.after(async () => { await gw.stop(); });
  const token = await adminToken(gw, 'e2e-graphiql');
  const browser = await launchChromium(t);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text()); });
  const traffic = []; // what the page sent and heard, for a failure's message
  page.on('console', (m) => traffic.push(`console ${m.type()}: ${m.text()}`));
  page.on('request', (r) => { if (r.url().endsWith('/graphql')) traffic.push(`${r.method()} /graphql ${r.postData() ?? ''}`.slice(0, 200)); });
  page.on('websocket', (ws) => {
    traffic.push(`websocket ${ws.url()}`);
    ws.on('framesent', (f) => traffic.push(`sent ${String(f.payload).slice(0, 200)}`));
    ws.on('framereceived', (f) => traffic.push(`got ${String(f.payload).slice(0, 200)}`));
    ws.on('close', () => traffic.push('websocket closed'));
  });
  // GraphiQL reads its editors from localStorage: fill it on a page of the
  // gateway's origin that runs no script (GraphiQL, open, would write its
  // default query back over it while the test fills it).
  await page.goto(gw.url + '/healthz');
  await page.evaluate((token) => {
    localStorage.clear();
    localStorage.setItem('graphiql:query', 'subscription { rateChanged(base: "USD", target: "EUR", includeCurrent: true) { pair rate snapshot } }');
    localStorage.setItem('graphiql:headers', JSON.stringify({ Authorization: 'Bearer ' + token }));
  }, token);
  // GraphiQL tells a subscription by the parsed document: wait for the
  // schema, then for the editor to hold the operation (target is in this
  // one, not in the default query's LiveRates).
  const introspected = page.waitForResponse((r) => r.url().endsWith('/graphql') && r.status() === 200, { timeout: 30_000 });
  await page.goto(gw.url + '/');
  await page.waitForSelector('.graphiql-container', { timeout: 30_000 });
  await introspected;
  await page.locator('.graphiql-query-editor').getByText('target', { exact: true }).waitFor({ timeout: 10_000 });
  await page.waitForTimeout(300);
  await page.locator('.graphiql-execute-button').click();
  const result = page.locator('.result-window');
  // shown waits for text in the result window; a timeout says what it shows.
  const shown = async (text) => {
    try {
      await result.getByText(text).waitFor({ timeout: 15_000 });
    } catch (err) {
      throw new Error(`the result window never showed ${text}; it shows: ${await result.innerText()}\n${traffic.join('\n')}`, { cause: err });
    }
  };
  await shown('USDEUR');
  assert.match(await result.innerText(), /"snapshot": true/);
  const r = await gql(gw.url, 'mutation { updateExchangeRate(pair: "USDEUR", rate: "0.9123") { rate } }', {}, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  await shown('0.9123');
  assert.match(await result.innerText(), /"snapshot": false/);
  assert.deepEqual(violations, [], 'CSP violations');
});
