// /docs in a real browser: headless Chromium renders the OpenAPI document
// with the vendored Redoc, and every legacy operation appears on the page.
// Nothing the page needs comes from anywhere but the gateway (Redoc's own
// footer logo points at a CDN; the page's CSP blocks it, so no request to
// another host may complete).
//
// Without /usr/bin/chromium the test is skipped, unless CI=true (or 1) or
// E2E_REQUIRED=1: then it fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, chromiumSkip, launchChromium, offLoopback } from './lib.mjs';

test('/docs renders every legacy operation in Chromium', {
  skip: chromiumSkip,
  timeout: 90_000,
}, async (t) => {

  const gw = await startGateway();
  t.after(async () => { await gw.stop(); });
  const doc = await (await fetch(gw.url + '/openapi.json')).json();
  const operations = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      if (item[method]) operations.push({ method, path: p, id: item[method].operationId });
    }
  }
  assert.ok(operations.length >= 48, `the document has ${operations.length} operations, want every legacy route (48)`);

  const browser = await launchChromium(t);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const finishedElsewhere = [];
  const pageErrors = [];
  page.on('requestfinished', (r) => finishedElsewhere.push(...offLoopback([r.url()])));
  page.on('pageerror', (e) => pageErrors.push(String(e)));

  const res = await page.goto(gw.url + '/docs');
  assert.equal(res.status(), 200);
  // Redoc gives each operation a section whose id starts with "operation/".
  await page.waitForFunction((n) => document.querySelectorAll('[data-section-id^="operation/"]').length >= n,
    operations.length, { timeout: 60_000, polling: 100 });
  const rendered = await page.$$eval('[data-section-id^="operation/"]', (els) => els.map((e) => e.getAttribute('data-section-id')));
  for (const op of operations) {
    assert.ok(rendered.includes(`operation/${op.id}`), `${op.method.toUpperCase()} ${op.path} (${op.id}) is not on the page`);
  }
  const text = await page.textContent('body');
  for (const words of ['decimal integer', '/api/v2/users/{id}']) {
    assert.ok(text.includes(words), `the page does not mention "${words}" (the collision rule)`);
  }
  assert.deepEqual(pageErrors, [], 'page errors');
  assert.deepEqual(finishedElsewhere, [], 'requests that reached a host other than the gateway');
});
