// The web app in a real browser against the real local runner: what a
// tenant admin, a viewer and a platform operator see and can do.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { call, OPERATOR, screenshots, startBrowser, startPlatform } from './harness.mjs';

const PASSWORD = 'a long test password 1';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let platform;
let chromium;

before(async () => {
  platform = await startPlatform();
  chromium = await startBrowser();
});

after(async () => {
  await chromium?.stop();
  await platform?.stop();
});

let lastPage;

let contexts = [];
let pageErrors = [];
let blockedByPolicy = [];

/**
 * A browser test: it fails on an uncaught error in any of its pages or on
 * anything the Content-Security-Policy blocked, leaves a picture of what the
 * browser showed when it fails, and closes its pages.
 */
function e2e(name, body) {
  // Each test has its own limit; the command's --test-timeout bounds the whole file, which takes longer.
  test(name, { timeout: 90_000 }, async () => {
    contexts = [];
    pageErrors = [];
    blockedByPolicy = [];
    try {
      await body();
      assert.deepEqual(pageErrors, [], 'uncaught errors in the page');
      assert.deepEqual(blockedByPolicy, [], 'what the Content-Security-Policy blocked');
    } catch (error) {
      await lastPage
        ?.screenshot({
          path: path.join(screenshots, `failed-${name.slice(0, 40).replace(/\W+/g, '-')}.png`),
          fullPage: true,
        })
        .catch(() => {});
      throw error;
    } finally {
      await Promise.all(contexts.map((context) => context.close()));
    }
  });
}

async function newPage(viewport = DESKTOP) {
  const context = await chromium.browser.newContext({ viewport, baseURL: platform.url });
  contexts.push(context);
  const page = await context.newPage();
  lastPage = page;
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
      blockedByPolicy.push(message.text());
  });
  return page;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's WCAG checks on the page as it is now: labels, names, contrast, landmarks. */
async function accessibilityViolations(page) {
  // Evaluated by the test's driver, not as an inline <script>: the app's Content-Security-Policy refuses those.
  await page.evaluate(axeSource);
  return page.evaluate(async () =>
    (await window.axe.run(document, { resultTypes: ['violations'] })).violations.map(
      (v) => `${v.impact} ${v.id} (${v.nodes.length}×, e.g. ${v.nodes[0].target}): ${v.help}`,
    ),
  );
}

const shot = (page, name) => page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });

async function signupByApi(slug) {
  const tenant = await call(platform.url, 'POST', '/api/auth/signup', {
    body: { tenant_name: `Tenant ${slug}`, tenant_slug: slug, email: `admin@${slug}.example`, password: PASSWORD },
  });
  return { token: tenant.access_token, tenantId: tenant.tenant.tenant_id, email: `admin@${slug}.example` };
}

async function logIn(page, email, password = PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

const navLink = (page, name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

e2e(
  'a new tenant signs up, sets the offline provider, watches an answer stream in, finds it in history, creates an API key and logs out',
  async () => {
    const page = await newPage();
    await page.goto('/');
    await page.waitForURL('**/login');
    await shot(page, 'login');
    await page.getByRole('link', { name: 'Create a workspace' }).click();
    await shot(page, 'signup');
    await page.getByLabel('Workspace name').fill('Acme Rockets');
    assert.equal(await page.getByLabel('Workspace short name').inputValue(), 'acme-rockets');
    await page.getByLabel('Your name').fill('Ada Admin');
    await page.getByLabel('Email').fill('ada@acme.example');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.waitForURL('**/chat');

    // LLM settings: the offline provider, and a connection test that says it works.
    await navLink(page, 'LLM settings').click();
    await page.getByLabel('Provider').selectOption('offline');
    await page.getByLabel('Model').fill('offline-demo');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Settings saved.').waitFor();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText(/Connected: offline \/ offline-demo answered in \d+ ms/).waitFor();
    await shot(page, 'llm-settings');

    // Chat with the built-in agent: thoughts, a tool step, and an answer arriving in pieces.
    await navLink(page, 'Chat').click();
    await page.getByLabel('Talk to').selectOption('type:agent');
    await page.evaluate(() => {
      window.__answerLengths = [];
      new MutationObserver(() => {
        const answers = document.querySelectorAll('.message-assistant .markdown');
        const text = answers[answers.length - 1]?.textContent ?? '';
        if (text.length !== window.__answerLengths.at(-1)) window.__answerLengths.push(text.length);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByLabel('Message').fill('What is 12*(3+4)?');
    await page.getByLabel('Message').press('Enter');
    await page.waitForURL(/\/chat\/[0-9A-Z]{26}$/);
    await page.getByRole('button', { name: 'Stop' }).waitFor();
    await page.locator('.message-assistant .markdown', { hasText: '84' }).waitFor();
    await page.getByRole('button', { name: 'Send' }).waitFor();
    const lengths = await page.evaluate(() => window.__answerLengths.filter((n) => n > 0));
    assert.ok(new Set(lengths).size >= 3, `the answer should arrive in pieces; lengths seen: ${lengths}`);
    await page.locator('.message-assistant .thoughts summary').last().click();
    assert.match(await page.locator('.message-assistant .thoughts').last().innerText(), /calculator/);
    await shot(page, 'chat');

    // History: search finds the conversation, and opening it shows the answer.
    await navLink(page, 'History').click();
    await page.getByLabel('Search conversations').fill('12*(3+4)');
    await page.getByRole('link', { name: /What is 12\*\(3\+4\)\?/ }).click();
    await page.locator('.message-assistant', { hasText: '84' }).waitFor();
    await shot(page, 'session-view');
    await navLink(page, 'History').click();
    await page.getByLabel('Search conversations').fill('no such conversation');
    await page.getByText('No conversation matches').waitFor();
    await page.getByLabel('Search conversations').fill('');
    await shot(page, 'history');

    // API keys: the full key is shown once, then gone.
    await navLink(page, 'API keys').click();
    await page.getByRole('textbox', { name: 'Name' }).fill('CI pipeline');
    await page.getByRole('checkbox', { name: /^chat\b/ }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = page.getByRole('region', { name: 'New API key' }).locator('code.secret');
    await key.waitFor();
    const fullKey = await key.innerText();
    assert.match(fullKey, /^paas_\w+$/);
    await shot(page, 'api-keys');
    await page.getByRole('button', { name: 'Done' }).click();
    assert.equal(await page.getByText(fullKey).count(), 0, 'the full key is not shown again');
    const viaKey = await fetch(`${platform.url}/api/v1/agents`, { headers: { 'x-api-key': fullKey } });
    assert.equal(viaKey.status, 200, 'the key shown works');

    // Log out: back to the log-in page, and nothing left to restore a session from.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    assert.equal(await page.evaluate(() => localStorage.getItem('paas.refresh_token')), null);
    await page.goto('/chat');
    await page.waitForURL('**/login');
  },
);

e2e('an admin defines an agent with the calculator, tries it, and sees users and usage', async () => {
  const admin = await signupByApi('agentsmiths');
  await call(platform.url, 'POST', '/api/v1/users', {
    token: admin.token,
    body: { email: 'uma@agentsmiths.example', role: 'user', password: PASSWORD },
  });
  const page = await newPage();
  await logIn(page, admin.email);

  await navLink(page, 'Agents').click();
  await page.getByRole('link', { name: 'New agent' }).click();
  await page.getByLabel('Name').fill('Math tutor');
  await page.getByLabel('Description').fill('Explains arithmetic step by step.');
  await page.getByLabel('System prompt').fill('You are a patient math tutor.');
  await page.getByRole('checkbox', { name: 'calculator' }).check();
  await page.getByLabel('Conversation starters').fill('What is 2^10?');
  await shot(page, 'agent-edit');
  await page.getByRole('button', { name: 'Create agent' }).click();
  await page.waitForURL('**/agents');
  await page.getByText('Explains arithmetic step by step.').waitFor();
  await shot(page, 'agents');

  await page.getByRole('link', { name: 'Try it: Math tutor' }).click();
  await page.waitForURL(/\/chat\?agent=/);
  await page.getByRole('button', { name: 'What is 2^10?' }).click();
  await page.locator('.message-assistant .markdown', { hasText: '1024' }).waitFor();
  await page.getByRole('button', { name: 'Send' }).waitFor();
  assert.match(await page.locator('.message-assistant .thoughts').last().textContent(), /calculator/);

  await navLink(page, 'Users').click();
  await page.getByRole('cell', { name: 'uma@agentsmiths.example', exact: true }).waitFor();
  await shot(page, 'users');

  await navLink(page, 'Usage').click();
  await page.getByRole('heading', { name: 'Usage' }).waitFor();
  await page
    .getByText(/tokens/i)
    .first()
    .waitFor();
  await shot(page, 'usage');

  await page.getByRole('link', { name: /agentsmiths/ }).click();
  await page.waitForURL('**/account');
  await shot(page, 'account');
});

e2e('an invited user joins through the link the admin copies, and chats as a user', async () => {
  const admin = await signupByApi('inviters');
  const page = await newPage();
  await logIn(page, admin.email);
  await navLink(page, 'Users').click();
  const form = page.getByRole('form', { name: 'Add a user' });
  await form.getByLabel('Email').fill('ivan@inviters.example');
  await form.getByRole('button', { name: 'Add user' }).click();
  const link = await page.getByRole('region', { name: 'Invite token' }).locator('code.secret').innerText();
  assert.match(link, /\/accept-invite#token=/);

  const invitee = await newPage();
  await invitee.goto(link);
  await invitee.getByLabel('Your name').fill('Ivan');
  await invitee.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await invitee.getByLabel('Password again').fill(PASSWORD);
  await shot(invitee, 'accept-invite');
  await invitee.getByRole('button', { name: 'Join the workspace' }).click();
  await invitee.waitForURL('**/chat');
  const nav = await invitee.getByRole('navigation', { name: 'Main' }).innerText();
  assert.ok(!nav.includes('Users'), `a user's menu has no admin screens: ${nav}`);
  await invitee.goto(link);
  await invitee.waitForURL('**/chat'); // signed in already: the link leads home
});

e2e('every main screen passes the accessibility checks, in light and dark colours', async () => {
  const admin = await signupByApi('accessible');
  for (const colorScheme of ['light', 'dark']) {
    const context = await chromium.browser.newContext({ viewport: DESKTOP, baseURL: platform.url, colorScheme });
    contexts.push(context);
    const page = await context.newPage();
    lastPage = page;
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
        blockedByPolicy.push(message.text());
    });
    for (const [address, name] of [
      ['/login', 'login'],
      ['/signup', 'signup'],
    ]) {
      await page.goto(address);
      await page.getByRole('heading').first().waitFor();
      assert.deepEqual(await accessibilityViolations(page), [], `${address} (${colorScheme})`);
      await shot(page, `${name}-${colorScheme}`);
    }
    await logIn(page, admin.email);
    await page.getByLabel('Message').fill('What is 6*7?');
    await page.getByLabel('Message').press('Enter');
    await page.getByRole('button', { name: 'Send' }).waitFor();
    await page.locator('.message-assistant .markdown').waitFor();
    assert.deepEqual(await accessibilityViolations(page), [], `/chat (${colorScheme})`);
    await shot(page, `chat-${colorScheme}`);
    for (const [address, heading, name] of [
      ['/history', 'History', 'history'],
      ['/agents', 'Agents', 'agents'],
      ['/agents/new', 'New agent', 'agent-edit'],
      ['/tools', 'Tools', 'tools'],
      ['/tools/new', 'New tool', 'tool-edit'],
      ['/settings/workspace', 'Workspace', 'workspace-settings'],
      ['/settings/llm', 'LLM settings', 'llm-settings'],
      ['/admin/users', 'Users', 'users'],
      ['/admin/api-keys', 'API keys', 'api-keys'],
      ['/admin/usage', 'Usage', 'usage'],
      ['/account', 'Your account', 'account'],
    ]) {
      await page.goto(address);
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await page
        .getByRole('status')
        .filter({ hasText: 'Loading' })
        .waitFor({ state: 'detached' })
        .catch(() => {});
      assert.deepEqual(await accessibilityViolations(page), [], `${address} (${colorScheme})`);
      await shot(page, `${name}-${colorScheme}`);
    }
  }
});

e2e('the keyboard alone signs in and chats', async () => {
  const admin = await signupByApi('keyboarders');
  const page = await newPage();
  await page.goto('/login');
  await page.getByLabel('Email').waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('type')), 'email');
  await page.keyboard.type(admin.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL('**/chat');
  await page.getByLabel('Message').waitFor();

  // The new screen's content has focus; the message box is a few Tabs on.
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
  const visited = [];
  while ((await page.evaluate(() => document.activeElement?.id)) !== 'chat-message') {
    visited.push(
      await page.evaluate(
        () => `${document.activeElement?.tagName} ${document.activeElement?.textContent?.slice(0, 30)}`,
      ),
    );
    assert.ok(visited.length < 10, `the message box is a few Tabs into the chat; went through ${visited.join(' | ')}`);
    await page.keyboard.press('Tab');
  }
  await page.keyboard.type('Hello from the keyboard');
  await page.keyboard.press('Enter');
  await page.locator('.message-assistant .markdown', { hasText: 'Hello from the keyboard' }).waitFor();

  // A freshly loaded page starts with the skip link, which jumps past the menu.
  await page.goto('/history');
  await page.getByLabel('Search conversations').waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Search conversations');
});

e2e('one email in two workspaces chooses which to enter', async () => {
  for (const slug of ['north-office', 'south-office']) {
    await call(platform.url, 'POST', '/api/auth/signup', {
      body: { tenant_name: `Tenant ${slug}`, tenant_slug: slug, email: 'sam@twoplaces.example', password: PASSWORD },
    });
  }
  const page = await newPage();
  await page.goto('/login');
  await page.getByLabel('Email').fill('sam@twoplaces.example');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('radio', { name: /Tenant south-office/ }).check();
  await shot(page, 'login-tenant-choice');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL('**/chat');
  await page.getByText('Tenant south-office', { exact: true }).waitFor();
});

e2e('a session survives a reload: the refresh token restores it silently', async () => {
  const { email } = await signupByApi('reloaders');
  const page = await newPage();
  await logIn(page, email);
  await page.reload();
  await page.getByLabel('Message').waitFor();
  assert.match(page.url(), /\/chat$/);
});

e2e('logging out, then in again, lands in chat rather than on the last screen', async () => {
  const { email } = await signupByApi('returners');
  const page = await newPage();
  await logIn(page, email);
  await navLink(page, 'Usage').click();
  await page.getByRole('heading', { name: 'Usage' }).waitFor();
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL('**/login');
  await page.getByText('Agent PaaS').waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL('**/chat');
  await page.getByLabel('Message').waitFor();
});

e2e("a reload keeps each answer's tokens and model under it", async () => {
  const { email } = await signupByApi('footers');
  const page = await newPage();
  await logIn(page, email);
  await page.getByLabel('Message').fill('What is 6*7?');
  await page.getByLabel('Message').press('Enter');
  await page.waitForURL(/\/chat\/[0-9A-Z]{26}$/);
  const footer = page.locator('.message-assistant .usage-line');
  await footer.waitFor();
  const streamed = await footer.innerText();
  assert.match(streamed, /^[\d,]+ tokens? · \S+/);
  await page.reload();
  await page.locator('.message-assistant .markdown').waitFor();
  assert.equal(await footer.innerText(), streamed, 'the stored answer has the same footer');
});

e2e('a viewer sees neither admin screens nor chat, and typing their address is refused', async () => {
  const admin = await signupByApi('viewers');
  await call(platform.url, 'POST', '/api/v1/users', {
    token: admin.token,
    body: { email: 'vera@viewers.example', role: 'viewer', password: PASSWORD },
  });
  const page = await newPage();
  await logIn(page, 'vera@viewers.example');
  await page.waitForURL('**/history');
  const nav = await page.getByRole('navigation', { name: 'Main' }).innerText();
  for (const hidden of ['Chat', 'LLM settings', 'Users', 'API keys', 'Usage', 'Tenants']) {
    assert.ok(!nav.split('\n').includes(hidden), `a viewer's menu must not offer ${hidden}: ${nav}`);
  }
  for (const address of ['/admin/users', '/admin/api-keys', '/settings/llm', '/chat']) {
    await page.goto(address);
    await page.getByText('Not available').waitFor();
  }
  await shot(page, 'viewer-refused');
});

e2e('a tenant out of tokens sees the quota and when it resets', async () => {
  const admin = await signupByApi('thrifty');
  const operator = await call(platform.url, 'POST', '/api/auth/login', { body: OPERATOR });
  await call(platform.url, 'PATCH', `/api/platform/tenants/${admin.tenantId}`, {
    token: operator.access_token,
    body: { quota_overrides: { tokens_per_month: 1 } },
  });
  const page = await newPage();
  await logIn(page, admin.email);
  await page.getByLabel('Message').fill('Hello there');
  await page.getByLabel('Message').press('Enter');
  const alert = page.getByRole('alert').filter({ hasText: 'Quota reached' });
  await alert.waitFor();
  assert.match(await alert.innerText(), /LLM tokens this month \(limit 1\)\. It resets/);
  await page.getByRole('button', { name: 'Retry' }).waitFor();
  await shot(page, 'quota-error');
});

e2e('the main screens fit a phone', async () => {
  const admin = await signupByApi('pocket');
  const page = await newPage(PHONE);
  await logIn(page, admin.email);
  await page.getByLabel('Message').fill('Hi from a phone');
  await page.getByLabel('Message').press('Enter');
  await page.locator('.message-assistant .markdown').waitFor();
  await shot(page, 'chat-phone');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the chat scrolls sideways by ${overflow}px on a phone`);
  await page.getByRole('button', { name: 'Menu' }).click();
  await navLink(page, 'Usage').click();
  await page.getByRole('heading', { name: 'Usage' }).waitFor();
  await shot(page, 'usage-phone');
});

e2e('a platform operator sees every tenant and can suspend one', async () => {
  const target = await signupByApi('suspendme');
  const page = await newPage();
  await logIn(page, OPERATOR.email, OPERATOR.password);
  await page.waitForURL('**/platform/tenants');
  const row = page.getByRole('row', { name: /suspendme/ });
  await row.waitFor();
  await shot(page, 'platform-tenants');
  await row.getByRole('button', { name: /Manage/ }).click();
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: 'Suspend', exact: true }).click();
  await row.getByText('Suspended', { exact: true }).waitFor();
  const refused = await fetch(`${platform.url}/api/v1/tenant`, {
    headers: { authorization: `Bearer ${target.token}` },
  });
  assert.equal(refused.status, 403);
});

e2e('the browser defences hold: security headers, and an image in an answer is never fetched', async () => {
  // A host an answer points an image at; any request to it would tell that host who read the answer.
  let fetched = 0;
  const tracker = createServer((_request, response) => {
    fetched += 1;
    response.writeHead(200, { 'content-type': 'image/png' }).end();
  });
  await new Promise((resolve) => tracker.listen(0, '127.0.0.1', resolve));
  const pixel = `http://127.0.0.1:${tracker.address().port}/pixel.png`;
  try {
    const { email } = await signupByApi('defences');
    const page = await newPage();
    const response = await page.goto('/login');
    const headers = response.headers();
    for (const directive of [
      "script-src 'self'",
      "img-src 'self' data:",
      "frame-ancestors 'none'",
      "object-src 'none'",
      "base-uri 'none'",
    ]) {
      assert.ok(
        headers['content-security-policy']?.includes(directive),
        `${directive} in ${headers['content-security-policy']}`,
      );
    }
    assert.match(headers['strict-transport-security'] ?? '', /^max-age=\d+/);
    assert.equal(headers['x-content-type-options'], 'nosniff');
    assert.equal(headers['referrer-policy'], 'no-referrer');
    assert.equal(headers['x-frame-options'], 'DENY');

    await logIn(page, email);
    // The offline provider quotes the message's first words: the answer carries the image's markdown.
    await page.getByLabel('Message').fill(`![pixel](${pixel})`);
    await page.getByLabel('Message').press('Enter');
    const answer = page.locator('.message-assistant .markdown').last();
    await answer.getByRole('link', { name: 'pixel' }).waitFor();
    await page.getByRole('button', { name: 'Send' }).waitFor();
    assert.equal(await answer.getByRole('link', { name: 'pixel' }).getAttribute('href'), pixel);
    assert.equal(await page.locator('img').count(), 0, 'no image element in the conversation');
    assert.equal(fetched, 0, 'the image host was never asked');
  } finally {
    await new Promise((resolve) => tracker.close(resolve));
  }
});

// ─── Tools, workspace settings and built-in agents (issue 17) ───────────────
// One section, kept at the end of the file: its own helpers and tests only.

/** axe's checks on the screen now shown, once it has loaded. */
async function assertAccessible(page, what) {
  await page
    .getByRole('status')
    .filter({ hasText: 'Loading' })
    .waitFor({ state: 'detached' })
    .catch(() => {});
  assert.deepEqual(await accessibilityViolations(page), [], what);
}

e2e('an admin allows a host, defines a tool, and an agent with http_get fetches from it in chat', async () => {
  // A site on this machine: a page for http_get, and an endpoint for the tenant tool.
  const site = createServer((request, response) => {
    request.resume();
    if (request.method === 'GET' && request.url === '/hello') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('Hello from the test server');
    } else if (request.method === 'POST' && request.url === '/tool') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"shipped"}');
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${site.address().port}`;
  const secret = 'tool-secret-never-shown';
  try {
    const admin = await signupByApi('toolmakers');
    const page = await newPage();
    await logIn(page, admin.email);

    // (a) Workspace settings: allow 127.0.0.1 for http_get.
    await navLink(page, 'Workspace').click();
    await page.getByRole('heading', { name: 'Workspace', exact: true }).waitFor();
    await page.getByText('No hosts yet:').waitFor();
    await page.getByLabel('Add a host').fill('127.0.0.1');
    await page.getByRole('button', { name: 'Add host' }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Settings saved.').waitFor();
    await page.getByRole('button', { name: 'Remove 127.0.0.1' }).waitFor();
    const tenant = await call(platform.url, 'GET', '/api/v1/tenant', { token: admin.token });
    assert.deepEqual(tenant.settings.allowed_hosts, ['127.0.0.1']);
    await assertAccessible(page, '/settings/workspace');
    await shot(page, 'workspace-settings');

    // (b) A tenant tool with a secret header, whose value is never shown again.
    await navLink(page, 'Tools').click();
    await page.getByText('No tools yet').waitFor();
    await page.getByRole('link', { name: 'New tool' }).click();
    await page.getByLabel('Name', { exact: true }).fill('order_status');
    await page.getByLabel('Description', { exact: true }).fill('Looks up an order by its id.');
    await page.getByLabel('Endpoint').fill(`${base}/tool`);
    await page
      .getByLabel('Parameters (JSON Schema)')
      .fill('{"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}');
    await page.getByLabel('Header name').fill('X-Tool-Key');
    await page.getByLabel('Header value').fill(secret);
    await assertAccessible(page, '/tools/new');
    await shot(page, 'tool-edit');
    await page.getByRole('button', { name: 'Create tool' }).click();
    await page.waitForURL('**/tools');
    const row = page.getByRole('row', { name: /order_status/ });
    await row.getByText('set', { exact: true }).waitFor();
    await assertAccessible(page, '/tools');
    await shot(page, 'tools');
    await row.getByRole('link', { name: 'Edit order_status' }).click();
    await page.getByText(/header is sent with every call\. Its value is never shown\./).waitFor();
    assert.equal(await page.getByLabel('Header value').inputValue(), '');
    assert.ok(!(await page.content()).includes(secret), 'the secret is nowhere in the page');
    await shot(page, 'tool-edit-secret-set');

    // (c) An agent with http_get (and the new tool); the editor says where http_get may fetch from.
    await navLink(page, 'Agents').click();
    await page.getByRole('link', { name: 'New agent' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Web reader');
    await page.getByLabel('Description', { exact: true }).fill('Reads pages from allowed hosts.');
    await page.getByRole('checkbox', { name: 'http_get' }).check();
    await page.getByRole('checkbox', { name: 'order_status' }).check();
    await page.getByText(/fetch only from the workspace’s allowed hosts \(127\.0\.0\.1\)/).waitFor();
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.waitForURL('**/agents');

    // The built-in agents are listed too, read-only, each to try.
    const builtin = page.getByRole('table', { name: 'Built-in agents' });
    await builtin.getByText('Built-in').first().waitFor();
    await assertAccessible(page, '/agents');
    await shot(page, 'agents-with-built-ins');
    await builtin.getByRole('link', { name: 'Try it: Agent with calculator and clock' }).click();
    await page.waitForURL(/\/chat\?agent=type%3Aagent$/);
    assert.equal(await page.getByLabel('Talk to').inputValue(), 'type:agent');

    // (d) Chat with the agent: it fetches the page and answers with its text.
    await navLink(page, 'Agents').click();
    await page.getByRole('link', { name: 'Try it: Web reader' }).click();
    await page.waitForURL(/\/chat\?agent=/);
    await page.getByLabel('Message').fill(`Fetch ${base}/hello`);
    await page.getByLabel('Message').press('Enter');
    const answer = page.locator('.message-assistant').last();
    await answer.locator('.markdown', { hasText: 'Hello from the test server' }).waitFor();
    await page.getByRole('button', { name: 'Send' }).waitFor();
    await answer.locator('.thoughts summary').click();
    assert.match(await answer.locator('.thoughts').innerText(), /http_get/);
    await shot(page, 'chat-http-get');
  } finally {
    site.closeAllConnections();
    await new Promise((resolve) => site.close(resolve));
  }
});
