// The OpenAI-compatible API driven by OpenAI's own JavaScript SDK (pinned in
// package.json), against `paas serve` on a fresh data directory: plain and
// streamed completions, usage, the model list, a wrong key, a quota refusal,
// an unknown model, and a client that aborts mid-stream.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';

const repo = path.resolve(import.meta.dirname, '../..');
const paas = process.env.PAAS_BIN ?? path.join(repo, 'target/debug/paas');
const OPERATOR = { email: 'operator@example.com', password: 'operator password 42' };
const QUESTION = [{ role: 'user', content: 'What is 12*(3+4)?' }];

let server;
let dataDir;
let url;
let admin;
let client;

async function call(method, route, body, token) {
  const response = await fetch(`${url}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${route}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const listening = (httpServer) =>
  new Promise((resolve) => httpServer.listen(0, '127.0.0.1', () => resolve(httpServer.address().port)));

before(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'paas-openai-js-'));
  const env = { ...process.env, PAAS_DATA_DIR: dataDir, PAAS_LOG: 'warn', PAAS_OFFLINE_WORDS_PER_SECOND: '0' };
  const created = spawnSync(paas, ['operator', 'create', '--email', OPERATOR.email], {
    env: { ...env, PAAS_OPERATOR_PASSWORD: OPERATOR.password },
  });
  assert.equal(created.status, 0, String(created.stderr));
  // A free port: bind one, let it go, hand it to the runner.
  const probe = createServer();
  const port = await listening(probe);
  await new Promise((resolve) => probe.close(resolve));
  url = `http://127.0.0.1:${port}`;
  server = spawn(paas, ['serve', '--bind', `127.0.0.1:${port}`], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      assert.ok(i < 400, 'paas serve did not become healthy');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const signup = await call('POST', '/api/auth/signup', {
    tenant_name: 'Sdk',
    tenant_slug: 'sdk',
    email: 'admin@sdk.example',
    password: 'contract password 42',
  });
  admin = signup.access_token;
  const { key } = await call('POST', '/api/v1/api-keys', { name: 'js', scopes: ['chat'] }, admin);
  client = new OpenAI({ baseURL: `${url}/v1`, apiKey: key, maxRetries: 0 });
});

after(async () => {
  server?.kill('SIGTERM');
  await new Promise((r) => (server.exitCode !== null ? r() : server.once('exit', r)));
  rmSync(dataDir, { recursive: true, force: true });
});

test('plain and streamed completions, usage and the model list', async () => {
  const reply = await client.chat.completions.create({ model: 'agent', messages: QUESTION });
  assert.match(reply.choices[0].message.content, /84/);
  assert.equal(reply.choices[0].finish_reason, 'stop');
  assert.equal(reply.usage.total_tokens, reply.usage.prompt_tokens + reply.usage.completion_tokens);

  const stream = await client.chat.completions.create({
    model: 'agent',
    messages: QUESTION,
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
  assert.match(text, /84/);
  const last = chunks.at(-1);
  assert.deepEqual(last.choices, []);
  assert.ok(last.usage.completion_tokens > 0);

  const models = [];
  for await (const model of client.models.list()) models.push(model.id);
  assert.deepEqual(models.slice(0, 2), ['assistant', 'agent']);
});

test('a wrong key, an unknown model and a used-up quota are the SDK’s errors', async () => {
  const wrong = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'paas_not_a_key', maxRetries: 0 });
  await assert.rejects(wrong.chat.completions.create({ model: 'agent', messages: QUESTION }), (err) => {
    assert.ok(err instanceof OpenAI.AuthenticationError);
    assert.equal(err.code, 'invalid_api_key');
    return true;
  });
  await assert.rejects(client.chat.completions.create({ model: 'gpt-4o', messages: QUESTION }), (err) => {
    assert.ok(err instanceof OpenAI.NotFoundError);
    assert.equal(err.code, 'model_not_found');
    return true;
  });

  const login = await call('POST', '/api/auth/login', OPERATOR);
  const { tenant_id: tenant } = await call('GET', '/api/v1/tenant', undefined, admin);
  const route = `/api/platform/tenants/${tenant}`;
  await call('PATCH', route, { quota_overrides: { tokens_per_month: 10 } }, login.access_token);
  await assert.rejects(client.chat.completions.create({ model: 'agent', messages: QUESTION }), (err) => {
    assert.ok(err instanceof OpenAI.RateLimitError);
    assert.equal(err.code, 'insufficient_quota');
    return true;
  });
  await call('PATCH', route, { quota_overrides: {} }, login.access_token);
});

test('a client that aborts mid-stream cancels the turn, which keeps its partial answer', async () => {
  // An OpenAI-compatible provider that streams a word every 50 ms for a minute.
  const provider = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    let i = 0;
    const timer = setInterval(() => {
      const chunk = { choices: [{ index: 0, delta: { content: `word${i++} ` }, finish_reason: null }] };
      response.write(`data: ${JSON.stringify(chunk)}\n\n`);
      if (i === 1200) clearInterval(timer);
    }, 50);
    response.on('close', () => clearInterval(timer));
  });
  const port = await listening(provider);
  try {
    const base_url = `http://127.0.0.1:${port}/v1`;
    await call('PUT', '/api/v1/tenant/llm', { provider: 'openai_compatible', model: 'slow', base_url }, admin);
    const abort = new AbortController();
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'assistant', messages: QUESTION, stream: true }, { signal: abort.signal })
      .withResponse();
    const session = response.headers.get('x-session-id');
    let pieces = 0;
    try {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta?.content && ++pieces === 5) abort.abort();
      }
    } catch (err) {
      // Depending on where the abort lands, the iteration ends or throws the abort.
      assert.ok(err instanceof OpenAI.APIUserAbortError || err.name === 'AbortError', err);
    }
    assert.equal(pieces, 5);
    let answer;
    for (let i = 0; i < 100; i++) {
      answer = (await call('GET', `/api/v1/sessions/${session}/messages`, undefined, admin)).items[0];
      if (answer.role === 'assistant') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(answer.outcome, 'cancelled');
    assert.equal(answer.status, 'partial');
    assert.match(answer.content, /^word0 word1 word2 word3 word4/);
    assert.ok(answer.usage.output_tokens > 0);
  } finally {
    provider.closeAllConnections();
    await new Promise((r) => provider.close(r));
  }
});
