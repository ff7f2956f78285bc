// Subscriptions end to end: a real gateway process, the reference client
// graphql-ws (graphql-transport-ws protocol) and a raw `ws` client speaking
// the legacy graphql-ws protocol (subscriptions-transport-ws style).
//
// Run through `go test ./e2e/` (which builds the gateway and sets
// GATEWAY_BIN), or `GATEWAY_BIN=... node --test` in this directory.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startGateway, gql, login, adminToken } from './lib.mjs';

const RATE_CHANGED = `subscription($base: String, $target: String, $cur: Boolean) {
  rateChanged(base: $base, target: $target, includeCurrent: $cur) {
    kind pair baseCode targetCode rate previousRate sequence at snapshot
  }
}`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// dec normalises a Decimal string for comparison: "0.8010" and "0.801" are
// the same rate (the gateway does not keep one scale across its answers).
const dec = (s) => (s == null ? s : s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);

// Queue hands pushed values to take(), waiting up to a timeout.
class Queue {
  #items = [];
  #waiters = [];
  push(v) {
    const w = this.#waiters.shift();
    if (w) w(v); else this.#items.push(v);
  }
  get size() { return this.#items.length; }
  take(ms = 5000, what = 'an event') {
    if (this.#items.length) return Promise.resolve(this.#items.shift());
    return new Promise((resolve, reject) => {
      const w = (v) => { clearTimeout(timer); resolve(v); };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      this.#waiters.push(w);
    });
  }
  // none asserts that nothing arrives within ms.
  async none(ms, what = 'event') {
    await sleep(ms);
    assert.equal(this.#items.length, 0, `unexpected ${what}: ${JSON.stringify(this.#items)}`);
  }
}

// mutate runs an operation over HTTP and fails on GraphQL errors.
async function mutate(gw, token, query, variables = {}) {
  const r = await gql(gw.url, query, variables, token);
  assert.equal(r.errors, undefined, `${query}: ${JSON.stringify(r.errors)}`);
  return r.data;
}

const updateRate = async (gw, token, pair, rate) =>
  (await mutate(gw, token, 'mutation($p: String!, $r: Decimal!) { updateExchangeRate(pair: $p, rate: $r) { rate } }', { p: pair, r: rate })).updateExchangeRate;

// currentRates answers the stored rates a filter selects, by pair.
async function currentRates(gw, token, base, target) {
  const d = await mutate(gw, token, `query($b: String, $t: String) { exchangeRates(base: $b, target: $t, first: 1000) {
    totalCount edges { node { rate base { code } target { code } } } } }`, { b: base, t: target });
  assert.ok(d.exchangeRates.totalCount > 0, 'a subscription in these tests selects at least one stored rate');
  return new Map(d.exchangeRates.edges.map(({ node: n }) => [n.base.code + n.target.code, n.rate]));
}

// connect makes a graphql-ws client that records its connection events.
// token: undefined sends no connectionParams.
function connect(t, gw, token, options = {}) {
  const events = new Queue();
  const counts = { connecting: 0, connected: 0, closed: 0, ping: 0 };
  const params = token === undefined ? undefined : { Authorization: 'Bearer ' + token };
  const client = createClient({
    url: gw.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: params,
    retryAttempts: 0,
    ...options,
    on: {
      connecting: () => { counts.connecting++; },
      connected: () => { counts.connected++; },
      ping: (received) => { if (received) counts.ping++; },
      closed: (e) => { counts.closed++; events.push({ code: e.code, reason: String(e.reason ?? '') }); },
    },
  });
  t.after(() => client.dispose());
  return { client, events, counts };
}

// subscribe starts rateChanged on a client; next() answers the next change,
// end() the next error or completion.
function subscribe(client, variables) {
  const q = new Queue();
  const unsubscribe = client.subscribe({ query: RATE_CHANGED, variables }, {
    next: (v) => q.push({ value: v }),
    error: (error) => q.push({ error }),
    complete: () => q.push({ complete: true }),
  });
  return {
    q,
    unsubscribe,
    async next(ms = 5000) {
      const e = await q.take(ms, 'a rate change');
      if (!e.value) throw new Error('subscription ended instead of a change: ' + describeEnd(e));
      assert.equal(e.value.errors, undefined, JSON.stringify(e.value.errors));
      return e.value.data.rateChanged;
    },
    end: (ms = 5000) => q.take(ms, 'the end of the subscription'),
  };
}

function describeEnd(e) {
  if (e.complete) return 'complete';
  const err = e.error;
  if (err && typeof err === 'object' && 'code' in err) return `close ${err.code} ${err.reason}`;
  return String(err instanceof Error ? err.message : JSON.stringify(err));
}

// subscribeReady subscribes with includeCurrent and reads the whole
// snapshot, which proves the subscription is live: the gateway subscribes
// before it reads the snapshot. It answers the snapshot by pair.
async function subscribeReady(gw, token, client, base, target) {
  const want = await currentRates(gw, token, base, target);
  const sub = subscribe(client, { base, target, cur: true });
  const snapshot = new Map();
  for (let i = 0; i < want.size; i++) {
    const c = await sub.next();
    assert.equal(c.snapshot, true, `snapshot row ${i}: ${JSON.stringify(c)}`);
    snapshot.set(c.pair, c);
  }
  assert.deepEqual([...snapshot.keys()].sort(), [...want.keys()].sort());
  return { sub, snapshot };
}

describe('graphql-transport-ws with the reference client', () => {
  let gw;
  let token;
  before(async () => {
    gw = await startGateway();
    token = await adminToken(gw, 'e2e-subscriptions');
  });
  after(async () => {
    if (gw) assert.equal(await gw.stop(), 0, gw.logs());
  });

  test('includeCurrent sends the snapshot, then each change', { timeout: 15000 }, async (t) => {
    const { client } = connect(t, gw, token);
    const want = await currentRates(gw, token, 'USD');
    const { sub, snapshot } = await subscribeReady(gw, token, client, 'USD');
    assert.equal(snapshot.size, 9, 'the demo data has nine rates with base USD');
    for (const [pair, c] of snapshot) {
      assert.equal(c.baseCode, 'USD');
      assert.equal(c.baseCode + c.targetCode, pair);
      assert.equal(dec(c.rate), dec(want.get(pair)), pair);
      assert.equal(c.previousRate, null, pair);
      assert.equal(c.kind, 'CREATED', pair);
      assert.ok(Number.isInteger(c.sequence) && c.sequence >= 0, pair);
      assert.ok(!Number.isNaN(Date.parse(c.at)), pair);
    }
    const was = snapshot.get('USDJPY');
    const updated = await updateRate(gw, token, 'USDJPY', '157.25');
    const c = await sub.next();
    assert.deepEqual(
      { kind: c.kind, pair: c.pair, baseCode: c.baseCode, targetCode: c.targetCode, rate: dec(c.rate), previousRate: dec(c.previousRate), sequence: c.sequence, snapshot: c.snapshot },
      { kind: 'UPDATED', pair: 'USDJPY', baseCode: 'USD', targetCode: 'JPY', rate: dec(updated.rate), previousRate: dec(was.rate), sequence: was.sequence + 1, snapshot: false });
    assert.equal(dec(c.rate), '157.25');
    assert.ok(Date.parse(c.at) >= Date.parse(was.at));
    await sub.q.none(200, 'change');
  });

  test('a base filter leaves other bases out', { timeout: 15000 }, async (t) => {
    const { client } = connect(t, gw, token);
    const { sub, snapshot } = await subscribeReady(gw, token, client, 'EUR');
    assert.deepEqual([...snapshot.keys()].sort(), ['EURGBP', 'EURNOK', 'EURSEK']);
    await updateRate(gw, token, 'USDEUR', '0.8700'); // target EUR, base USD: not for this subscriber
    await updateRate(gw, token, 'EURGBP', '0.8810');
    const c = await sub.next();
    assert.equal(c.pair, 'EURGBP', 'the first change after the USD one is the EUR one');
    assert.equal(c.kind, 'UPDATED');
    await sub.q.none(200, 'change');
  });

  test('createExchangeRate → CREATED, deleteExchangeRate → DELETED', { timeout: 15000 }, async (t) => {
    const { client } = connect(t, gw, token);
    const { sub } = await subscribeReady(gw, token, client, 'USD');
    await mutate(gw, token, 'mutation { createExchangeRate(input: {baseCode: "USD", targetCode: "SEK", rate: "9.4100"}) { rate } }');
    const created = await sub.next();
    assert.equal(created.kind, 'CREATED');
    assert.equal(created.pair, 'USDSEK');
    assert.equal(dec(created.rate), '9.41');
    assert.equal(created.previousRate, null);
    assert.equal(created.snapshot, false);
    await mutate(gw, token, 'mutation { deleteExchangeRate(pair: "USDSEK") { rate } }');
    const deleted = await sub.next();
    assert.equal(deleted.kind, 'DELETED');
    assert.equal(deleted.pair, 'USDSEK');
    assert.equal(deleted.rate, null);
    assert.equal(dec(deleted.previousRate), dec(created.rate));
    assert.equal(deleted.sequence, created.sequence + 1);
    assert.equal(deleted.snapshot, false);
    await sub.q.none(200, 'change');
  });

  test('deleteCurrency sends one DELETED per rate of the currency', { timeout: 15000 }, async (t) => {
    await mutate(gw, token, 'mutation { createCurrency(input: {code: "XTS", name: "Test currency", sign: "T"}) { code } }');
    const pairs = { XTSUSD: '0.5', USDXTS: '2', EURXTS: '2.3' };
    for (const [p, rate] of Object.entries(pairs)) {
      await mutate(gw, token, 'mutation($b: String!, $t: String!, $r: Decimal!) { createExchangeRate(input: {baseCode: $b, targetCode: $t, rate: $r}) { rate } }',
        { b: p.slice(0, 3), t: p.slice(3), r: rate });
    }
    const { client } = connect(t, gw, token);
    const { sub, snapshot } = await subscribeReady(gw, token, client); // every rate
    await mutate(gw, token, 'mutation { deleteCurrency(code: "XTS") { code } }');
    const got = new Map();
    for (let i = 0; i < 3; i++) {
      const c = await sub.next();
      assert.equal(c.kind, 'DELETED', JSON.stringify(c));
      assert.equal(c.rate, null);
      assert.equal(c.snapshot, false);
      assert.ok(!got.has(c.pair), 'one change per rate: ' + c.pair);
      assert.equal(dec(c.previousRate), dec(snapshot.get(c.pair).rate));
      assert.equal(dec(c.previousRate), dec(pairs[c.pair]));
      assert.equal(c.sequence, snapshot.get(c.pair).sequence + 1);
      got.set(c.pair, c);
    }
    assert.deepEqual([...got.keys()].sort(), Object.keys(pairs).sort());
    // Nothing else: the next change is this sentinel.
    await updateRate(gw, token, 'USDCAD', '1.4100');
    assert.equal((await sub.next()).pair, 'USDCAD');
  });

  test('a bad token is refused with 4403, without retrying endlessly', { timeout: 15000 }, async (t) => {
    // retryAttempts 0: exactly one attempt.
    const one = connect(t, gw, 'not-a-token');
    const sub = subscribe(one.client, { base: 'USD' });
    const end = await sub.end();
    assert.equal(end.error?.code, 4403, describeEnd(end));
    assert.equal((await one.events.take()).code, 4403);
    assert.deepEqual({ connecting: one.counts.connecting, connected: one.counts.connected }, { connecting: 1, connected: 0 });

    // graphql-ws 5 retries 4403 (it says access might be granted later):
    // retryAttempts bounds it to 1 + 2 attempts, each refused with 4403.
    const few = connect(t, gw, 'not-a-token', { retryAttempts: 2, retryWait: async () => {} });
    const sub2 = subscribe(few.client, { base: 'USD' });
    const end2 = await sub2.end();
    assert.equal(end2.error?.code, 4403, describeEnd(end2));
    await sleep(300);
    assert.deepEqual({ connecting: few.counts.connecting, connected: few.counts.connected }, { connecting: 3, connected: 0 });
    for (let i = 0; i < 3; i++) assert.equal((await few.events.take()).code, 4403);
  });

  test('without a token (no connectionParams) the connection is refused with 4403', { timeout: 15000 }, async (t) => {
    const { client, events, counts } = connect(t, gw, undefined);
    const end = await subscribe(client, { base: 'USD' }).end();
    assert.equal(end.error?.code, 4403, describeEnd(end));
    const closed = await events.take();
    assert.deepEqual(closed, { code: 4403, reason: 'Forbidden' });
    assert.equal(counts.connected, 0);
  });

  test('the token may come as authToken', { timeout: 15000 }, async (t) => {
    const { client } = connect(t, gw, undefined, { connectionParams: { authToken: token } });
    await subscribeReady(gw, token, client, 'USD', 'EUR');
  });

  test('revoking the token ends the subscription', { timeout: 15000 }, async (t) => {
    const name = 'e2erevoke' + process.pid;
    await mutate(gw, '', 'mutation($u: String!, $p: String!) { register(input: {username: $u, password: $p, passwordConfirmation: $p}) { id } }',
      { u: name, p: 'revoke-me-please-1' });
    const userToken = await login(gw.url, name, 'revoke-me-please-1', 'e2e-revoke');
    const { client, events } = connect(t, gw, userToken);
    const { sub } = await subscribeReady(gw, userToken, client, 'USD', 'EUR');
    const revoked = await mutate(gw, userToken, 'mutation { revokeTokens }');
    assert.ok(revoked.revokeTokens.length >= 1);
    const start = Date.now();
    const closed = await events.take(2500, 'the socket to close after the revocation');
    const closedAfter = Date.now() - start;
    assert.ok(closedAfter <= 2000, `closed ${closedAfter} ms after the revocation`);
    // The client may come back once with the revoked token: it is refused.
    const end = await sub.end(3000);
    assert.ok(end.complete || end.error, describeEnd(end));
    t.diagnostic(`closed ${closed.code} after ${closedAfter} ms; subscription ended: ${describeEnd(end)}`);
    await updateRate(gw, token, 'USDEUR', '0.8720');
    await sub.q.none(200, 'change after the revocation');
  });

  test('5 concurrent subscribers each get every change once, in sequence order', { timeout: 20000 }, async (t) => {
    const N = 5;
    const subs = await Promise.all(Array.from({ length: N }, async () => {
      const { client } = connect(t, gw, token);
      const { sub, snapshot } = await subscribeReady(gw, token, client, 'USD', 'CHF');
      return { sub, seq: snapshot.get('USDCHF').sequence };
    }));
    assert.ok(subs.every((s) => s.seq === subs[0].seq), 'every snapshot shows the same sequence');
    const rates = [];
    for (let i = 1; i <= 10; i++) rates.push((await updateRate(gw, token, 'USDCHF', `0.80${String(i).padStart(2, '0')}`)).rate);
    for (const [n, { sub, seq }] of subs.entries()) {
      const got = [];
      for (let i = 0; i < 10; i++) got.push(await sub.next());
      assert.deepEqual(got.map((c) => c.sequence), Array.from({ length: 10 }, (_, i) => seq + 1 + i), `subscriber ${n}`);
      assert.deepEqual(got.map((c) => dec(c.rate)), rates.map(dec), `subscriber ${n}`);
      assert.ok(got.every((c) => c.kind === 'UPDATED' && c.pair === 'USDCHF' && !c.snapshot), `subscriber ${n}`);
    }
    await sleep(200);
    for (const [n, { sub }] of subs.entries()) assert.equal(sub.q.size, 0, `subscriber ${n} got a duplicate`);
  });

  // Concurrent writes of a pair reach subscribers in commit (sequence)
  // order, and the last change delivered is the latest. (On SQLite the
  // changes are handed over after the commit: without an order between the
  // hand-overs, an older change could arrive last.)
  test('concurrent updates of a pair reach a subscriber in sequence order', { timeout: 20000 }, async (t) => {
    const { client } = connect(t, gw, token);
    const { sub, snapshot } = await subscribeReady(gw, token, client, 'USD', 'CNY');
    const first = snapshot.get('USDCNY').sequence + 1;
    const n = 300;
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: n / 3 }, (_, i) => updateRate(gw, token, 'USDCNY', `7.${round}${String(i).padStart(3, '0')}1`)));
    }
    // A subscriber that falls behind may skip changes (latest per pair
    // wins): read until nothing more comes.
    const got = [];
    for (;;) {
      const e = await sub.q.take(got.length ? 500 : 3000, 'a change').catch(() => null);
      if (!e) break;
      assert.ok(e.value, describeEnd(e));
      got.push(e.value.data.rateChanged.sequence);
    }
    assert.equal(new Set(got).size, got.length, 'no change twice');
    const late = got.flatMap((s, i) => (i > 0 && s < got[i - 1] ? [`${s} after ${got[i - 1]}`] : []));
    assert.equal(late.length, 0, `${late.length} of ${n} changes arrived after a later one: ${late.slice(0, 5).join('; ')}`);
    assert.equal(got.at(-1), first + n - 1, 'the last change delivered is the latest');
  });
});

// legacyClient opens a raw socket speaking the legacy graphql-ws protocol.
async function legacyClient(t, gw) {
  const ws = new WebSocket(gw.wsUrl, 'graphql-ws');
  t.after(() => ws.terminate());
  const messages = new Queue();
  const keepAlives = [];
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    if (m.type === 'ka') keepAlives.push(Date.now()); else messages.push(m);
  });
  const closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await once(ws, 'open');
  assert.equal(ws.protocol, 'graphql-ws');
  const send = (m) => ws.send(JSON.stringify(m));
  return { ws, messages, keepAlives, closed, send };
}

describe('legacy graphql-ws protocol and keep-alives', () => {
  let gw;
  let token;
  before(async () => {
    gw = await startGateway({ args: ['-ws-keepalive', '1s'] });
    token = await adminToken(gw, 'e2e-legacy');
  });
  after(async () => {
    if (gw) assert.equal(await gw.stop(), 0, gw.logs());
  });

  test('connection_init, ack, ka, start, data, stop, connection_terminate', { timeout: 15000 }, async (t) => {
    const c = await legacyClient(t, gw);
    c.send({ type: 'connection_init', payload: { Authorization: 'Bearer ' + token } });
    assert.deepEqual(await c.messages.take(2000, 'connection_ack'), { type: 'connection_ack' });
    await sleep(1600);
    assert.ok(c.keepAlives.length >= 2, `keep-alives in 1.6 s with -ws-keepalive 1s: ${c.keepAlives.length}`);

    c.send({ id: '1', type: 'start', payload: { query: RATE_CHANGED, variables: { base: 'USD', target: 'GBP', cur: true } } });
    const snap = await c.messages.take(3000, 'the snapshot');
    assert.equal(snap.type, 'data');
    assert.equal(snap.id, '1');
    assert.equal(snap.payload.data.rateChanged.pair, 'USDGBP');
    assert.equal(snap.payload.data.rateChanged.snapshot, true);

    const updated = await updateRate(gw, token, 'USDGBP', '0.7620');
    const m = await c.messages.take(3000, 'the change');
    assert.equal(m.type, 'data');
    assert.equal(m.id, '1');
    assert.deepEqual(
      (({ kind, pair, rate, previousRate, sequence, snapshot }) => ({ kind, pair, rate: dec(rate), previousRate: dec(previousRate), sequence, snapshot }))(m.payload.data.rateChanged),
      { kind: 'UPDATED', pair: 'USDGBP', rate: dec(updated.rate), previousRate: dec(snap.payload.data.rateChanged.rate),
        sequence: snap.payload.data.rateChanged.sequence + 1, snapshot: false });

    c.send({ id: '1', type: 'stop' });
    assert.deepEqual(await c.messages.take(2000, 'complete after stop'), { id: '1', type: 'complete' });
    await updateRate(gw, token, 'USDGBP', '0.7630');
    await c.messages.none(300, 'message after stop');

    c.send({ type: 'connection_terminate' });
    const closed = await Promise.race([c.closed, sleep(2000).then(() => null)]);
    assert.ok(closed, 'the socket closes after connection_terminate');
    assert.equal(closed.code, 1000);
  });

  test('a bad token gets connection_error and the socket closes', { timeout: 15000 }, async (t) => {
    const c = await legacyClient(t, gw);
    c.send({ type: 'connection_init', payload: { Authorization: 'Bearer not-a-token' } });
    const m = await c.messages.take(2000, 'connection_error');
    assert.equal(m.type, 'connection_error');
    assert.equal(m.payload.message, 'Forbidden');
    const closed = await Promise.race([c.closed, sleep(2000).then(() => null)]);
    assert.ok(closed, 'the socket closes after connection_error');
    assert.equal(closed.code, 4403);
  });

  test('graphql-transport-ws answers pings and stays up beyond two intervals', { timeout: 15000 }, async (t) => {
    const { client, counts, events } = connect(t, gw, token);
    const { sub } = await subscribeReady(gw, token, client, 'USD', 'AUD');
    await sleep(3200);
    assert.ok(counts.ping >= 2, `pings received in 3.2 s with -ws-keepalive 1s: ${counts.ping}`);
    assert.equal(events.size, 0, 'the connection stayed open');
    await updateRate(gw, token, 'USDAUD', '1.5500');
    assert.equal((await sub.next()).pair, 'USDAUD');
  });
});

test('graceful shutdown closes subscribers with 1001 and exits 0', { timeout: 20000 }, async (t) => {
  const gw = await startGateway();
  let code;
  try {
    const token = await adminToken(gw, 'e2e-shutdown');
    // Not lazy: the socket stays up whatever the subscriptions do, so the
    // close code is the gateway's.
    let nonLazyError;
    const { client, events } = connect(t, gw, token, { lazy: false, onNonLazyError: (e) => { nonLazyError = e; } });
    const { sub } = await subscribeReady(gw, token, client, 'USD', 'EUR');
    code = await gw.stop('SIGTERM');
    const closed = await events.take(5000, 'the socket to close on shutdown');
    assert.equal(closed.code, 1001, JSON.stringify(closed));
    const end = await sub.end(2000);
    t.diagnostic(`subscription ended with: ${describeEnd(end)}; client error: ${nonLazyError?.code}`);
  } finally {
    if (code === undefined) code = await gw.stop('SIGTERM');
  }
  assert.equal(code, 0, gw.logs());
});

// A default (lazy) client resubscribes after an abnormal close, but not after
// `complete`, which ends its subscription for good. So on shutdown the
// gateway closes the sockets (1001) before it ends the subscriptions.
test('graceful shutdown does not complete the subscriptions of a lazy client', { timeout: 20000 }, async (t) => {
  const gw = await startGateway();
  try {
    const token = await adminToken(gw, 'e2e-shutdown-lazy');
    const { client, events } = connect(t, gw, token);
    const { sub } = await subscribeReady(gw, token, client, 'USD', 'EUR');
    assert.equal(await gw.stop('SIGTERM'), 0, gw.logs());
    const end = await sub.end(5000);
    const closed = await events.take(5000, 'the socket to close on shutdown');
    assert.equal(describeEnd(end), 'close 1001 server shutting down');
    assert.equal(closed.code, 1001);
  } finally {
    await gw.stop('SIGKILL');
  }
});
