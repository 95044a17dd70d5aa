// Starts what the browser tests need: the local runner (the real `paas`
// binary on a fresh data directory, serving the built app) and Debian's
// Chromium through playwright-core. Everything binds to 127.0.0.1 and stops
// when the tests end.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const repo = path.resolve(import.meta.dirname, '../..');
const paas = process.env.PAAS_BIN ?? path.resolve(repo, process.env.CARGO_TARGET_DIR ?? 'target', 'debug/paas');
export const screenshots = path.join(repo, 'frontend/e2e/screenshots');

export const OPERATOR = { email: 'operator@example.com', password: 'operator password 42' };

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForHealth(url, child) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`paas serve exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('paas serve did not become healthy');
}

/** The local runner on a fresh data directory, with one platform operator. */
export async function startPlatform() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'paas-e2e-'));
  const env = {
    ...process.env,
    PAAS_DATA_DIR: dataDir,
    PAAS_FRONTEND_DIR: path.join(repo, 'frontend/dist'),
    PAAS_LOG: 'warn',
    // Paced well above a model's speed, so tests stay quick, yet slow enough that the
    // browser sees an answer arrive in pieces (and a Stop button while it does).
    PAAS_OFFLINE_WORDS_PER_SECOND: '100',
    // Tools in these tests fetch from servers the test starts on 127.0.0.1.
    PAAS_ALLOW_LOOPBACK_URLS: 'true',
  };
  const created = spawnSync(paas, ['operator', 'create', '--email', OPERATOR.email], {
    env: { ...env, PAAS_OPERATOR_PASSWORD: OPERATOR.password },
    encoding: 'utf8',
  });
  if (created.status !== 0) throw new Error(`operator create failed: ${created.stderr}`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(paas, ['serve', '--bind', `127.0.0.1:${port}`], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForHealth(url, child);
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function startBrowser() {
  // Each run's pictures only, so a failed-*.png always belongs to this run.
  rmSync(screenshots, { recursive: true, force: true });
  mkdirSync(screenshots, { recursive: true });
  // playwright gives each launch a new, empty profile of its own.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    // No background traffic: this machine's network is closed, and tests must not depend on it.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    async stop() {
      await browser.close();
    },
  };
}

/** A JSON call to the API from the test itself (to set up what a test does not exercise through the UI). */
export async function call(url, method, route, { token, body } = {}) {
  const response = await fetch(`${url}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok && response.status !== 202) throw new Error(`${method} ${route}: ${response.status} ${text}`);
  return json;
}
