// Shared helpers of the end-to-end tests: start a real gateway process and
// talk to it. The binary comes from GATEWAY_BIN (the Go runner e2e_test.go
// builds it); each gateway gets its own port and SQLite data directory, or
// DATABASE_URL when given.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
    srv.on('error', reject);
  });
}

// startGateway starts `GATEWAY_BIN serve` and waits for /readyz. It returns
// { url, wsUrl, dataDir, logs(), stop() }; stop() sends SIGTERM and resolves
// with the exit code.
export async function startGateway({ env = {}, args = [] } = {}) {
  const bin = process.env.GATEWAY_BIN;
  if (!bin) throw new Error('GATEWAY_BIN is not set: run the tests through `go test ./e2e/` or set it to a built gateway');
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fxgw-e2e-'));
  let out = '';
  const child = spawn(bin, ['serve', '-addr', `127.0.0.1:${port}`, '-data-dir', dataDir, ...args], {
    env: { ...process.env, BCRYPT_COST: '4', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited at start:\n${out}`);
    try {
      const res = await fetch(url + '/readyz');
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`gateway not ready in 20 s:\n${out}`); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url, wsUrl: `ws://127.0.0.1:${port}/graphql`, dataDir, pid: child.pid,
    logs: () => out,
    stop: async (signal = 'SIGTERM') => { if (child.exitCode === null) child.kill(signal); const code = await exited; fs.rmSync(dataDir, { recursive: true, force: true }); return code; },
  };
}

// gql posts an operation and returns the parsed answer.
export async function gql(url, query, variables = {}, token = '') {
  const res = await fetch(url + '/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: 'Bearer ' + token } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return res.json();
}

// login signs in and returns the access token.
export async function login(url, loginName, password, deviceId = 'e2e') {
  const r = await gql(url, 'mutation($l: String!, $p: String!, $d: String) { login(input: {login: $l, password: $p, deviceId: $d}) { accessToken } }',
    { l: loginName, p: password, d: deviceId });
  if (!r.data) throw new Error('login failed: ' + JSON.stringify(r));
  return r.data.login.accessToken;
}

// adminToken signs in as the embedded default's demo admin of a gateway.
export async function adminToken(gw, deviceId = 'e2e') {
  const pw = fs.readFileSync(path.join(gw.dataDir, 'admin-password.txt'), 'utf8').trim();
  return login(gw.url, 'admin', pw, deviceId);
}

// Chromium for the browser tests: Debian's /usr/bin/chromium, driven by
// playwright-core. Without it a browser test is skipped, unless CI=true (or
// 1) or E2E_REQUIRED=1: then it fails, so a CI image that lost its browser
// does not pass silently.
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const haveChromium = fs.existsSync(CHROMIUM);
const browserRequired = /^(true|True|TRUE|1)$/.test(process.env.CI ?? '') || process.env.E2E_REQUIRED === '1';

// chromiumSkip is the `skip` option of a browser test.
export const chromiumSkip = !haveChromium && !browserRequired ? `${CHROMIUM} is missing (set CI=true to fail instead)` : false;

// launchChromium starts headless Chromium, closed when the test t ends.
export async function launchChromium(t) {
  if (!haveChromium) {
    throw new Error(`${CHROMIUM} is missing and CI=true or E2E_REQUIRED=1: install it (apt-get install -y chromium)`);
  }
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  t.after(async () => { await browser.close(); });
  return browser;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

// offLoopback lists the URLs that went anywhere but a loopback host
// (data:, blob: and about: URLs go nowhere).
export function offLoopback(urls) {
  return urls.filter((u) => {
    const url = new URL(u);
    if (url.protocol === 'data:' || url.protocol === 'about:' || url.protocol === 'blob:') return false;
    return !LOOPBACK.has(url.hostname);
  });
}
