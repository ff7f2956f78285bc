// The live rates dashboard. It signs in with the login mutation over
// /graphql, keeps the access token in sessionStorage, and follows
// Subscription.rateChanged(includeCurrent: true), and after a dropped
// connection rateChanged(after: <the last cursor>), over a websocket that speaks
// the graphql-transport-ws protocol itself: connection_init (with the
// Authorization bearer token) → connection_ack → subscribe → next / error /
// complete, answering every ping with a pong. A dropped connection is retried
// with capped exponential back-off, except after a refusal such as 4403
// (the token is not accepted: the user has to sign in again).
// No framework and no external assets: everything comes from the gateway.
(function () {
  'use strict';

  var KEY_TOKEN = 'fxgw.dashboard.token';
  var KEY_USER = 'fxgw.dashboard.user';
  var KEY_DEVICE = 'fxgw.dashboard.device';
  var KEY_REFRESH_ID = 'fxgw.dashboard.refreshId';

  var SUBPROTOCOL = 'graphql-transport-ws';
  var BACKOFF_MIN_MS = 500;
  var BACKOFF_MAX_MS = 30000;
  var ACK_TIMEOUT_MS = 10000; // connection_init unanswered for this long: retry
  var PING_EVERY_MS = 20000; // our own pings, so a dead link is noticed
  var SILENCE_LIMIT_MS = 50000; // nothing heard for this long: retry
  var STABLE_AFTER_MS = 5000; // a connection up this long resets the back-off
  var SNAPSHOT_SETTLE_MS = 800; // quiet time that ends the current-values burst

  // Close codes after which retrying cannot help.
  var FATAL_CLOSE = {
    4400: 'the gateway refused a message',
    4401: 'not signed in',
    4403: 'the gateway refused the token',
    4406: 'the gateway does not speak ' + SUBPROTOCOL,
    4409: 'duplicate subscription',
    4429: 'too many connection attempts'
  };

  var LOGIN = 'mutation DashboardLogin($input: LoginInput!) {\n' +
    '  login(input: $input) { accessToken refreshToken user { username email fullName } }\n}';
  var REVOKE = 'mutation DashboardSignOut($ids: [ID!]) { revokeTokens(ids: $ids) }';
  // With $cur the current values come first; with $after (the cursor of
  // the last change seen) a reconnection gets what it missed, in order.
  var SUBSCRIPTION = 'subscription DashboardRates($base: String, $target: String, $cur: Boolean, $after: String) {\n' +
    '  rateChanged(base: $base, target: $target, includeCurrent: $cur, after: $after) {\n' +
    '    kind pair baseCode targetCode rate previousRate sequence at snapshot cursor\n  }\n}';
  var CURSOR_EXPIRED = /older than the change log keeps/;

  var $ = function (id) { return document.getElementById(id); };
  var el = {};

  // ---- storage --------------------------------------------------------

  function load(key) {
    try { return window.sessionStorage.getItem(key) || ''; } catch (e) { return ''; }
  }
  function save(key, value) {
    try {
      if (value) window.sessionStorage.setItem(key, value); else window.sessionStorage.removeItem(key);
    } catch (e) { /* storage disabled: the session lasts as long as the page */ }
  }

  // deviceId names this tab to the gateway: a new login on a device revokes
  // that device's live tokens, so each tab gets its own and a sign-in here
  // never signs out another client of the same user.
  function deviceId() {
    var id = load(KEY_DEVICE);
    if (!id) {
      var bytes = new Uint8Array(12);
      window.crypto.getRandomValues(bytes);
      id = 'dashboard-' + Array.prototype.map.call(bytes, function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
      save(KEY_DEVICE, id);
    }
    return id;
  }

  // claims reads a JWT's payload (no verification: the gateway does that).
  function claims(token) {
    try {
      var part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      while (part.length % 4) part += '=';
      return JSON.parse(window.atob(part));
    } catch (e) { return {}; }
  }
  function expired(token) {
    var exp = claims(token).exp;
    return typeof exp === 'number' && exp * 1000 <= Date.now();
  }

  // ---- HTTP -----------------------------------------------------------

  function post(query, variables, token, keepalive) {
    var headers = { 'content-type': 'application/json', accept: 'application/json' };
    if (token) headers.authorization = 'Bearer ' + token;
    return fetch('/graphql', {
      method: 'POST', headers: headers, credentials: 'omit', keepalive: !!keepalive,
      body: JSON.stringify({ query: query, variables: variables })
    }).then(function (res) {
      return res.json().catch(function () { throw new Error('the gateway answered HTTP ' + res.status); });
    });
  }

  // ---- sign in / out --------------------------------------------------

  function signIn(event) {
    event.preventDefault();
    var login = el.login.value.trim();
    var password = el.password.value;
    if (!login || !password) {
      showSignInError(!login ? 'Enter your login.' : 'Enter your password.');
      (!login ? el.login : el.password).focus();
      return;
    }
    showSignInError('');
    el.signin.disabled = true;
    el.signin.textContent = 'Signing in…';
    post(LOGIN, { input: { login: login, password: password, deviceId: deviceId() } }).then(function (r) {
      if (!r.data || !r.data.login) {
        var err = (r.errors && r.errors[0]) || {};
        var code = err.extensions && err.extensions.code;
        showSignInError(code === 'UNAUTHENTICATED' ? 'Wrong login or password.' : (err.message || 'Sign-in failed.'));
        el.password.select();
        return;
      }
      var a = r.data.login;
      var u = a.user || {};
      save(KEY_TOKEN, a.accessToken);
      save(KEY_USER, u.username || u.email || u.fullName || login);
      save(KEY_REFRESH_ID, a.refreshToken ? (claims(a.refreshToken).jti || '') : '');
      el.password.value = '';
      attempt = 0;
      showLive();
      connect();
    }, function (e) {
      showSignInError('The gateway did not answer: ' + e.message);
    }).then(function () {
      el.signin.disabled = false;
      el.signin.textContent = 'Sign in';
    });
  }

  function signOut() {
    var token = load(KEY_TOKEN);
    var ids = [claims(token).jti, load(KEY_REFRESH_ID)].filter(Boolean);
    if (token && ids.length && !expired(token)) {
      // Best effort: revoke only this page's tokens, never the user's others.
      post(REVOKE, { ids: ids }, token, true).catch(function () {});
    }
    endSession('Signed out.');
    setStatus('idle', 'Signed out');
  }

  // endSession forgets the token, stops the connection and shows the form.
  function endSession(message) {
    save(KEY_TOKEN, '');
    resume = null;
    save(KEY_USER, '');
    save(KEY_REFRESH_ID, '');
    stop();
    clearTable();
    showSignIn(message);
  }

  function showSignInError(text) {
    el.signinError.textContent = text;
    el.signinError.hidden = !text;
  }

  function showSignIn(message) {
    document.body.classList.add('signed-out');
    el.live.hidden = true;
    el.signinPanel.hidden = false;
    el.signinNote.textContent = message || '';
    el.signinNote.hidden = !message;
    showSignInError('');
    el.login.focus();
  }

  function showLive() {
    document.body.classList.remove('signed-out');
    el.signinPanel.hidden = true;
    el.live.hidden = false;
    el.whoami.textContent = 'Signed in as ' + (load(KEY_USER) || 'unknown');
  }

  // ---- status ---------------------------------------------------------

  function setStatus(state, text) {
    el.status.setAttribute('data-state', state);
    el.statusText.textContent = text;
    el.reconnect.hidden = !(state === 'reconnecting' || state === 'closed') || !load(KEY_TOKEN);
  }

  // ---- the websocket --------------------------------------------------

  var conn = null; // the current connection: {ws, acked, lastHeard, timers}
  var sub = null; // the current subscription: {id, settle}
  var subSeq = 0;
  var attempt = 0; // failed attempts since the last stable connection
  var retryTimer = 0;
  var wanted = false; // whether the page wants a connection

  function wsURL() {
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql';
  }

  function send(c, msg) {
    if (c.ws.readyState === WebSocket.OPEN) c.ws.send(JSON.stringify(msg));
  }

  function connect() {
    window.clearTimeout(retryTimer);
    retryTimer = 0;
    var token = load(KEY_TOKEN);
    if (!token) { endSession(''); return; }
    if (expired(token)) { sessionExpired('Your session expired.'); return; }
    wanted = true;
    drop(conn);
    setStatus(attempt ? 'reconnecting' : 'connecting', attempt ? 'Reconnecting…' : 'Connecting…');
    var ws;
    try {
      ws = new WebSocket(wsURL(), SUBPROTOCOL);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    var c = { ws: ws, acked: false, lastHeard: Date.now(), timers: [] };
    conn = c;
    ws.onopen = function () {
      if (conn !== c) return;
      send(c, { type: 'connection_init', payload: { Authorization: 'Bearer ' + token } });
      c.timers.push(window.setTimeout(function () {
        if (conn === c && !c.acked) { drop(c); scheduleReconnect(); }
      }, ACK_TIMEOUT_MS));
    };
    ws.onmessage = function (event) {
      if (conn !== c) return;
      c.lastHeard = Date.now();
      var msg;
      try { msg = JSON.parse(event.data); } catch (e) { return; }
      onMessage(c, msg || {});
    };
    ws.onclose = function (event) {
      if (conn !== c) return;
      drop(c);
      onClose(event.code, event.reason);
    };
  }

  function onMessage(c, msg) {
    switch (msg.type) {
      case 'connection_ack':
        c.acked = true;
        setStatus('connected', 'Connected · live');
        c.timers.push(window.setInterval(function () {
          if (Date.now() - c.lastHeard > SILENCE_LIMIT_MS) { drop(c); scheduleReconnect(); return; }
          send(c, { type: 'ping' });
        }, PING_EVERY_MS));
        c.timers.push(window.setTimeout(function () { if (conn === c) attempt = 0; }, STABLE_AFTER_MS));
        subscribe(c, false);
        break;
      case 'ping':
        send(c, { type: 'pong' });
        break;
      case 'next':
        if (!sub || msg.id !== sub.id || !msg.payload) return;
        attempt = 0;
        if (msg.payload.errors && msg.payload.errors.length) {
          if (resume && CURSOR_EXPIRED.test(messages(msg.payload.errors))) {
            // Away longer than the gateway keeps changes: start over
            // from the current values.
            resume = null;
            subscribe(c, false);
            return;
          }
          setStatus('error', 'Error: ' + messages(msg.payload.errors));
        }
        if (msg.payload.data && msg.payload.data.rateChanged) applyChange(msg.payload.data.rateChanged);
        break;
      case 'error':
        if (!sub || msg.id !== sub.id) return;
        // The gateway refused the operation (a bad filter, a missing scope):
        // retrying would fail the same way.
        sub = null;
        wanted = false;
        drop(c, 1000);
        settleEmpty();
        setStatus('closed', 'Closed: ' + messages(msg.payload));
        break;
      case 'complete':
        if (!sub || msg.id !== sub.id) return;
        // The server ended the subscription: start over.
        drop(c, 1000);
        scheduleReconnect();
        break;
      default:
        // pong and anything unknown: nothing to do.
    }
  }

  function onClose(code, reason) {
    if (!wanted) { setStatus('closed', 'Closed'); return; }
    if (code === 4401 || code === 4403) {
      sessionExpired('The gateway refused the token (' + code + (reason ? ' ' + reason : '') + ').');
      return;
    }
    if (FATAL_CLOSE[code]) {
      wanted = false;
      setStatus('closed', 'Closed: ' + FATAL_CLOSE[code] + ' (' + code + ').');
      return;
    }
    if (expired(load(KEY_TOKEN))) { sessionExpired('Your session expired.'); return; }
    scheduleReconnect();
  }

  // sessionExpired stops for good: no reconnect until the user signs in.
  function sessionExpired(why) {
    endSession(why + ' Sign in again.');
    setStatus('closed', 'Closed — sign in again');
  }

  function scheduleReconnect() {
    if (!wanted) return;
    window.clearTimeout(retryTimer);
    var cap = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, attempt));
    var delay = Math.round(cap / 2 + Math.random() * cap / 2); // jitter, so tabs spread out
    attempt++;
    setStatus('reconnecting', 'Reconnecting in ' + Math.max(1, Math.round(delay / 1000)) + ' s (attempt ' + attempt + ')…');
    retryTimer = window.setTimeout(connect, delay);
  }

  // drop detaches and closes a connection without waiting for its close
  // handshake (a dead link may never finish it).
  function drop(c, code) {
    if (!c) return;
    c.timers.forEach(function (t) { window.clearTimeout(t); window.clearInterval(t); });
    c.timers = [];
    c.ws.onopen = c.ws.onmessage = c.ws.onclose = c.ws.onerror = null;
    try { c.ws.close(code || 1000); } catch (e) { /* already closed */ }
    if (conn === c) conn = null;
  }

  // stop ends the connection on purpose: no reconnect.
  function stop() {
    wanted = false;
    window.clearTimeout(retryTimer);
    retryTimer = 0;
    if (sub && conn) send(conn, { id: sub.id, type: 'complete' });
    sub = null;
    drop(conn, 1000);
  }

  function filters() {
    var v = { base: el.base.value.trim().toUpperCase(), target: el.target.value.trim().toUpperCase() };
    return { base: v.base || null, target: v.target || null };
  }

  // resume is where a reconnection picks up: the cursor of the last change
  // seen, with the filters it was seen under.
  var resume = null;

  // subscribe starts rateChanged on an acknowledged connection. After a
  // dropped connection, with the same filters, it resumes after the last
  // change seen. Otherwise it asks for the current values: rows already
  // shown are kept (refreshed in place), and those the current values do
  // not mention any more are removed once the burst settles.
  function subscribe(c, fresh) {
    if (sub && sub.conn === c) send(c, { id: sub.id, type: 'complete' });
    if (fresh) { clearTable(); resume = null; }
    var vars = filters();
    var key = vars.base + '/' + vars.target;
    sub = { id: String(++subSeq), conn: c, settled: false, timer: 0, key: key };
    if (resume && resume.key === key) {
      vars.after = resume.cursor;
      sub.settled = true;
    } else {
      resume = null;
      vars.cur = true;
      rows.forEach(function (r) { r.stale = true; });
      armSettle();
    }
    send(c, { id: sub.id, type: 'subscribe', payload: { query: SUBSCRIPTION, variables: vars } });
  }

  function armSettle() {
    var s = sub;
    window.clearTimeout(s.timer);
    s.timer = window.setTimeout(function () { if (sub === s) settle(); }, SNAPSHOT_SETTLE_MS);
  }

  function settle() {
    if (sub) { sub.settled = true; window.clearTimeout(sub.timer); }
    rows.forEach(function (r, pair) { if (r.stale) removeRow(pair, r); });
    settleEmpty();
  }

  function settleEmpty() {
    el.empty.textContent = 'No rates match.';
    updateCount();
  }

  function messages(errors) {
    if (!Array.isArray(errors)) return 'the gateway refused the subscription';
    return errors.map(function (e) { return e && e.message; }).filter(Boolean).join('; ') || 'unknown error';
  }

  // ---- the table ------------------------------------------------------

  var rows = new Map(); // pair → {tr, rate, previous, sequence, stale}
  var gone = new Map(); // pair → the sequence of its deletion, for pairs seen deleted
  var reduceMotion = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  var dateTimeFormat = format({ dateStyle: 'medium', timeStyle: 'medium' });
  var timeFormat = format({ timeStyle: 'medium' });
  function format(options) {
    try { return new Intl.DateTimeFormat(undefined, options); } catch (e) { return null; }
  }

  // when shows the time alone for today, else the date too.
  function when(iso) {
    var d = new Date(iso);
    if (isNaN(d) || !dateTimeFormat || !timeFormat) return iso;
    return d.toDateString() === new Date().toDateString() ? timeFormat.format(d) : dateTimeFormat.format(d);
  }

  function applyChange(ch) {
    if (sub && ch.cursor) resume = { key: sub.key, cursor: ch.cursor };
    if (sub && !sub.settled) {
      if (ch.snapshot) armSettle(); else settle();
    }
    var r = rows.get(ch.pair);
    var known = r ? r.sequence : gone.has(ch.pair) ? gone.get(ch.pair) : null;
    if (known !== null && typeof ch.sequence === 'number') {
      // The subscription starts before the current values are read, so a
      // change they already show may follow them (same or lower sequence).
      if (ch.sequence <= known) {
        if (r && ch.snapshot) r.stale = false;
        return;
      }
      if (ch.sequence > known + 1) noteGap(ch.pair, known, ch.sequence);
    }
    if (ch.kind === 'DELETED') {
      if (r) removeRow(ch.pair, r);
      gone.set(ch.pair, ch.sequence);
      updateCount();
      return;
    }
    gone.delete(ch.pair);
    var isNew = !r;
    if (isNew) {
      r = { tr: makeRow(ch), rate: null, previous: null, sequence: -1 };
      rows.set(ch.pair, r);
      insertSorted(ch.pair, r.tr);
    }
    var previous = ch.previousRate;
    if (previous == null && ch.snapshot && !isNew) {
      previous = r.rate !== ch.rate ? r.rate : r.previous; // a reconnect's refresh
    }
    var changed = !isNew && (r.rate !== ch.rate || r.sequence !== ch.sequence);
    r.stale = false;
    r.rate = ch.rate;
    r.previous = previous;
    r.sequence = ch.sequence;
    fill(r.tr, ch, previous);
    if (isNew && !ch.snapshot) flash(r.tr, 'flash-new');
    else if (changed) flash(r.tr, trend(ch.rate, previous) === 'down' ? 'flash-down' : 'flash-up');
    updateCount();
  }

  function makeRow(ch) {
    var tr = document.createElement('tr');
    tr.setAttribute('data-pair', ch.pair);
    ['pair', 'rate num', 'previous num', 'sequence num', 'at'].forEach(function (cls, i) {
      var cell = document.createElement(i === 0 ? 'th' : 'td');
      cell.className = cls;
      if (i === 0) cell.setAttribute('scope', 'row');
      tr.appendChild(cell);
    });
    var pair = tr.cells[0];
    var codes = document.createElement('span');
    codes.className = 'codes';
    codes.textContent = (ch.baseCode || ch.pair.slice(0, 3)) + ' → ' + (ch.targetCode || ch.pair.slice(3));
    codes.setAttribute('aria-hidden', 'true');
    var plain = document.createElement('span');
    plain.className = 'pair-code';
    plain.textContent = ch.pair;
    pair.appendChild(plain);
    pair.appendChild(codes);
    tr.addEventListener('animationend', function () {
      tr.classList.remove('flash-new', 'flash-up', 'flash-down');
    });
    return tr;
  }

  function fill(tr, ch, previous) {
    var c = tr.cells;
    c[1].textContent = ch.rate == null ? '—' : ch.rate;
    var t = trend(ch.rate, previous);
    if (t) c[1].setAttribute('data-trend', t); else c[1].removeAttribute('data-trend');
    c[1].title = t === 'up' ? 'Up from ' + previous : t === 'down' ? 'Down from ' + previous : '';
    c[2].textContent = previous == null ? '—' : previous;
    c[3].textContent = String(ch.sequence);
    var time = c[4].firstChild;
    if (!time) { time = document.createElement('time'); c[4].appendChild(time); }
    time.setAttribute('datetime', ch.at);
    time.title = ch.at;
    time.textContent = when(ch.at);
  }

  function trend(rate, previous) {
    if (rate == null || previous == null) return '';
    var a = Number(rate), b = Number(previous);
    if (!isFinite(a) || !isFinite(b) || a === b) return '';
    return a > b ? 'up' : 'down';
  }

  function insertSorted(pair, tr) {
    var body = el.body;
    for (var i = 0; i < body.rows.length; i++) {
      var other = body.rows[i].getAttribute('data-pair');
      if (other && other > pair) { body.insertBefore(tr, body.rows[i]); return; }
    }
    body.appendChild(tr);
  }

  function removeRow(pair, r) {
    rows.delete(pair);
    gone.set(pair, r.sequence);
    var tr = r.tr;
    tr.removeAttribute('data-pair'); // gone for every query at once
    tr.setAttribute('data-leaving', pair);
    if (reduceMotion) { tr.remove(); return; }
    tr.classList.add('leaving');
    window.setTimeout(function () { tr.remove(); }, 400);
  }

  function clearTable() {
    rows.clear();
    gone.clear();
    el.body.textContent = '';
    el.gap.hidden = true;
    el.gap.textContent = '';
    el.empty.textContent = 'Waiting for rates…';
    updateCount();
  }

  function flash(tr, cls) {
    if (reduceMotion) return;
    tr.classList.remove('flash-new', 'flash-up', 'flash-down');
    void tr.offsetWidth; // restart the animation
    tr.classList.add(cls);
  }

  function noteGap(pair, from, to) {
    var skipped = to - from - 1;
    el.gap.textContent = 'Gap detected on ' + pair + ': sequence ' + from + ' → ' + to + ' (' + skipped +
      ' change' + (skipped === 1 ? '' : 's') + ' skipped; showing the latest rate).';
    el.gap.setAttribute('data-pair', pair);
    el.gap.hidden = false;
    var r = rows.get(pair);
    if (r) r.tr.setAttribute('data-gap', 'true');
  }

  function updateCount() {
    var n = rows.size;
    el.count.textContent = n ? '(' + n + ')' : '';
    el.empty.hidden = n > 0;
  }

  // ---- filters --------------------------------------------------------

  function applyFilters(event) {
    event.preventDefault();
    var bad = [el.base, el.target].filter(function (i) { return i.value.trim() && !/^[A-Za-z]{3}$/.test(i.value.trim()); });
    [el.base, el.target].forEach(function (i) { i.setAttribute('aria-invalid', bad.indexOf(i) >= 0 ? 'true' : 'false'); });
    if (bad.length) { bad[0].focus(); setStatus('error', 'A currency code is three letters, such as USD.'); return; }
    var f = filters();
    el.base.value = f.base || '';
    el.target.value = f.target || '';
    var url = new URL(location.href);
    ['base', 'target'].forEach(function (k) { if (f[k]) url.searchParams.set(k, f[k]); else url.searchParams.delete(k); });
    history.replaceState(null, '', url);
    if (conn && conn.acked) {
      subscribe(conn, true);
    } else {
      clearTable();
      attempt = 0;
      connect();
    }
  }

  // ---- start ----------------------------------------------------------

  function start() {
    el = {
      signinPanel: $('signin-panel'), signinForm: $('signin-form'), login: $('login'), password: $('password'),
      signin: $('signin'), signinError: $('signin-error'), signinNote: $('signin-note'),
      live: $('live-panel'), whoami: $('whoami'), signout: $('signout'),
      filterForm: $('filter-form'), base: $('base'), target: $('target'),
      status: $('status'), statusText: $('status-text'), reconnect: $('reconnect'), gap: $('gap'),
      body: $('rates-body'), empty: $('empty'), count: $('count')
    };
    var params = new URLSearchParams(location.search);
    el.base.value = (params.get('base') || '').toUpperCase().slice(0, 3);
    el.target.value = (params.get('target') || '').toUpperCase().slice(0, 3);

    el.signinForm.addEventListener('submit', signIn);
    el.signout.addEventListener('click', signOut);
    el.filterForm.addEventListener('submit', applyFilters);
    el.reconnect.addEventListener('click', function () { attempt = 0; connect(); });
    window.addEventListener('online', function () { if (wanted && !conn) { attempt = 0; connect(); } });
    window.addEventListener('pagehide', function () { if (conn) drop(conn, 1000); });
    window.addEventListener('pageshow', function (e) { if (e.persisted && wanted && !conn) connect(); });

    clearTable();
    var token = load(KEY_TOKEN);
    if (token && !expired(token)) {
      showLive();
      connect();
    } else {
      if (token) sessionExpired('Your session expired.'); else showSignIn('');
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
