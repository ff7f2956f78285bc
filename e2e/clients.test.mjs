// More ways in, each with its reference client from npm: GraphQL over
// server-sent events (graphql-sse, distinct connections mode) and the
// legacy graphql-ws protocol spoken by subscriptions-transport-ws.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'graphql-sse';
import stws from 'subscriptions-transport-ws';
import WebSocket from 'ws';
import { startGateway, gql, adminToken } from './lib.mjs';

const RATE_CHANGED = `subscription($base: String, $target: String, $cur: Boolean, $after: String) {
  rateChanged(base: $base, target: $target, includeCurrent: $cur, after: $after) { pair rate sequence snapshot cursor }
}`;

// events collects a subscription's results and its end.
function collector() {
  const items = [];
  const waiters = [];
  const push = (v) => { const w = waiters.shift(); if (w) w(v); else items.push(v); };
  return {
    sink: {
      next: (v) => push({ value: v }),
      error: (e) => push({ error: e }),
      complete: () => push({ complete: true }),
    },
    take(ms = 5000) {
      if (items.length) return Promise.resolve(items.shift());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms);
        waiters.push((v) => { clearTimeout(timer); resolve(v); });
      });
    },
    async change(ms) {
      const e = await this.take(ms);
      assert.ok(e.value, `expected a result, got ${JSON.stringify(e, Object.getOwnPropertyNames(e.error ?? {}))}`);
      assert.equal(e.value.errors, undefined, JSON.stringify(e.value.errors));
      return e.value.data.rateChanged;
    },
  };
}

const update = async (gw, token, pair, rate) => {
  const r = await gql(gw.url, 'mutation($p: String!, $r: Decimal!) { updateExchangeRate(pair: $p, rate: $r) { rate } }', { p: pair, r: rate }, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
};

describe('graphql-sse (distinct connections)', () => {
  let gw;
  let token;
  before(async () => {
    gw = await startGateway();
    token = await adminToken(gw, 'e2e-sse');
  });
  after(async () => {
    if (gw) assert.equal(await gw.stop(), 0, gw.logs());
  });

  test('a subscription streams its snapshot, then changes; a cursor resumes', { timeout: 15000 }, async (t) => {
    const client = createClient({ url: gw.url + '/graphql', headers: { Authorization: 'Bearer ' + token }, retryAttempts: 0 });
    t.after(() => client.dispose());
    const c = collector();
    const dispose = client.subscribe({ query: RATE_CHANGED, variables: { base: 'USD', target: 'EUR', cur: true } }, c.sink);
    const snap = await c.change();
    assert.equal(snap.snapshot, true);
    await update(gw, token, 'USDEUR', '0.8811');
    const live = await c.change();
    assert.deepEqual({ rate: live.rate, sequence: live.sequence, snapshot: live.snapshot }, { rate: '0.8811', sequence: snap.sequence + 1, snapshot: false });
    dispose();

    await update(gw, token, 'USDEUR', '0.8812');
    const r = collector();
    const dispose2 = client.subscribe({ query: RATE_CHANGED, variables: { base: 'USD', target: 'EUR', after: live.cursor } }, r.sink);
    t.after(dispose2);
    const missed = await r.change();
    assert.deepEqual({ rate: missed.rate, sequence: missed.sequence }, { rate: '0.8812', sequence: live.sequence + 1 });
  });

  test('a query streams one result, then completes', { timeout: 15000 }, async (t) => {
    const client = createClient({ url: gw.url + '/graphql', headers: { Authorization: 'Bearer ' + token }, retryAttempts: 0 });
    t.after(() => client.dispose());
    const c = collector();
    client.subscribe({ query: '{ currency(code: "USD") { code } }' }, c.sink);
    assert.deepEqual((await c.take()).value, { data: { currency: { code: 'USD' } } });
    assert.deepEqual(await c.take(), { complete: true });
  });

  test('without a token a subscription is refused', { timeout: 15000 }, async (t) => {
    const client = createClient({ url: gw.url + '/graphql', retryAttempts: 0 });
    t.after(() => client.dispose());
    const c = collector();
    client.subscribe({ query: RATE_CHANGED }, c.sink);
    const e = await c.take();
    assert.equal(e.value?.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED', JSON.stringify(e));
  });
});

describe('subscriptions-transport-ws (legacy graphql-ws)', () => {
  let gw;
  let token;
  before(async () => {
    gw = await startGateway();
    token = await adminToken(gw, 'e2e-stws');
  });
  after(async () => {
    if (gw) assert.equal(await gw.stop(), 0, gw.logs());
  });

  test('connects with connectionParams, subscribes, unsubscribes', { timeout: 15000 }, async (t) => {
    const client = new stws.SubscriptionClient(gw.wsUrl, { connectionParams: { Authorization: 'Bearer ' + token }, reconnect: false }, WebSocket);
    t.after(() => client.close());
    const c = collector();
    const sub = client.request({ query: RATE_CHANGED, variables: { base: 'USD', target: 'GBP', cur: true } }).subscribe(c.sink);
    const snap = await c.change();
    assert.equal(snap.pair, 'USDGBP');
    assert.equal(snap.snapshot, true);
    await update(gw, token, 'USDGBP', '0.7711');
    const live = await c.change();
    assert.deepEqual({ rate: live.rate, sequence: live.sequence }, { rate: '0.7711', sequence: snap.sequence + 1 });
    sub.unsubscribe();
    await update(gw, token, 'USDGBP', '0.7712');
    await assert.rejects(c.take(300), /nothing within/);
  });

  test('a bad token is refused with connection_error', { timeout: 15000 }, async (t) => {
    let refused;
    const got = new Promise((resolve) => { refused = resolve; });
    const client = new stws.SubscriptionClient(gw.wsUrl, {
      connectionParams: { Authorization: 'Bearer nope' }, reconnect: false, connectionCallback: (err) => refused(err),
    }, WebSocket);
    t.after(() => client.close());
    client.request({ query: RATE_CHANGED }).subscribe({});
    const e = await Promise.race([got, new Promise((r) => setTimeout(() => r(null), 3000))]);
    assert.equal(e?.message, 'Forbidden');
  });
});
