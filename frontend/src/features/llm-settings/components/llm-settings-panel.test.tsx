import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, test, vi } from 'vitest';
import { fakeApi, json, problem } from '@/testing/fake-api';
import { renderWithApp } from '@/testing/render';
import { LlmSettingsPanel } from './llm-settings-panel';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const stored = {
  provider: 'openai',
  model: 'gpt-4o-mini',
  base_url: null,
  api_key_set: true,
  api_key_last4: 'a1b2',
  updated_at: '2026-01-01T00:00:00Z',
};

/** Answers PUT with what a server would store, so the form can restart from it. */
function llmApi() {
  return fakeApi()
    .on('GET', '/api/v1/tenant/llm', () => json(stored))
    .on('PUT', '/api/v1/tenant/llm', (_, body) => {
      const { api_key, ...rest } = body as { api_key?: string };
      const keySet = api_key === undefined ? stored.api_key_set : api_key !== '';
      return json({
        ...stored,
        ...rest,
        api_key_set: keySet,
        api_key_last4: keySet ? (api_key?.slice(-4) ?? stored.api_key_last4) : null,
        updated_at: '2026-02-02T00:00:00Z',
      });
    });
}

test('an empty key field keeps the stored key: no api_key is sent', async () => {
  const api = llmApi();
  renderWithApp(<LlmSettingsPanel />);

  expect(await screen.findByText(/A key is set, ending in …a1b2/)).toBeInTheDocument();
  await userEvent.clear(screen.getByLabelText('Model'));
  await userEvent.type(screen.getByLabelText('Model'), 'gpt-4.1');
  await userEvent.click(screen.getByRole('button', { name: 'Save' }));

  expect(await screen.findByText('Settings saved.')).toBeInTheDocument();
  const put = api.requests.find((r) => r.method === 'PUT');
  expect(put?.body).toEqual({ provider: 'openai', model: 'gpt-4.1' });
  expect(put?.body).not.toHaveProperty('api_key');
});

test('a typed key is sent once, then the field is empty again', async () => {
  const api = llmApi();
  renderWithApp(<LlmSettingsPanel />);

  const key = await screen.findByLabelText('API key');
  expect(key).toHaveAttribute('type', 'password');
  await userEvent.type(key, 'sk-new-secret-9z9z');
  await userEvent.click(screen.getByRole('button', { name: 'Save' }));

  expect(await screen.findByText('Settings saved.')).toBeInTheDocument();
  expect(api.requests.find((r) => r.method === 'PUT')?.body).toEqual({
    provider: 'openai',
    model: 'gpt-4o-mini',
    api_key: 'sk-new-secret-9z9z',
  });
  expect(screen.getByLabelText('API key')).toHaveValue('');
  expect(screen.getByText(/ending in …9z9z/)).toBeInTheDocument();
});

test('a new base URL asks for the key again and sends both', async () => {
  const api = llmApi();
  renderWithApp(<LlmSettingsPanel />);

  const key = await screen.findByLabelText('API key');
  expect(key).not.toBeRequired();
  await userEvent.type(screen.getByLabelText('Base URL'), 'https://llm.example.com/v1');
  expect(key).toBeRequired();
  expect(screen.getByText(/The base URL changed: enter the API key again/)).toBeInTheDocument();
  await userEvent.type(key, 'sk-for-the-new-host');
  await userEvent.click(screen.getByRole('button', { name: 'Save' }));

  expect(await screen.findByText('Settings saved.')).toBeInTheDocument();
  expect(api.requests.find((r) => r.method === 'PUT')?.body).toEqual({
    provider: 'openai',
    model: 'gpt-4o-mini',
    base_url: 'https://llm.example.com/v1',
    api_key: 'sk-for-the-new-host',
  });
});

test('"Remove key" sends an empty key after asking', async () => {
  const api = llmApi();
  vi.spyOn(window, 'confirm').mockReturnValue(true);
  renderWithApp(<LlmSettingsPanel />);

  await userEvent.click(await screen.findByRole('button', { name: 'Remove key' }));

  await waitFor(() => expect(api.requests.some((r) => r.method === 'PUT')).toBe(true));
  expect(api.requests.find((r) => r.method === 'PUT')?.body).toEqual({
    provider: 'openai',
    model: 'gpt-4o-mini',
    base_url: null,
    api_key: '',
  });
});

test('the offline provider needs neither base URL nor key; openai_compatible requires a base URL', async () => {
  llmApi();
  renderWithApp(<LlmSettingsPanel />);

  const provider = await screen.findByLabelText('Provider');
  await userEvent.selectOptions(provider, 'offline');
  expect(screen.queryByLabelText('Base URL')).not.toBeInTheDocument();
  expect(screen.queryByLabelText('API key')).not.toBeInTheDocument();
  await userEvent.selectOptions(provider, 'openai_compatible');
  expect(screen.getByLabelText('Base URL')).toBeRequired();
});

test('a validation problem from the server is shown', async () => {
  fakeApi()
    .on('GET', '/api/v1/tenant/llm', () => json(stored))
    .on('PUT', '/api/v1/tenant/llm', () => problem(422, 'validation_failed', 'base_url must be https'));
  renderWithApp(<LlmSettingsPanel />);

  await userEvent.type(await screen.findByLabelText('Base URL'), 'http://10.0.0.1/v1');
  await userEvent.type(screen.getByLabelText('API key'), 'sk-internal');
  await userEvent.click(screen.getByRole('button', { name: 'Save' }));

  expect(await screen.findByRole('alert')).toHaveTextContent('base_url must be https');
});

test('a failed connection test shows the provider’s error', async () => {
  fakeApi()
    .on('GET', '/api/v1/tenant/llm', () => json(stored))
    .on('POST', '/api/v1/tenant/llm/test', () =>
      json({
        ok: false,
        provider: 'openai',
        model: 'gpt-4o-mini',
        latency_ms: 212,
        reply: null,
        error: { code: 'provider_auth', message: 'the provider refused the API key' },
      }),
    );
  renderWithApp(<LlmSettingsPanel />);

  await userEvent.click(await screen.findByRole('button', { name: 'Test connection' }));

  const alert = await screen.findByRole('alert');
  expect(alert).toHaveTextContent('provider_auth');
  expect(alert).toHaveTextContent('the provider refused the API key');
});

test('a working connection shows its latency', async () => {
  fakeApi()
    .on('GET', '/api/v1/tenant/llm', () => json(stored))
    .on('POST', '/api/v1/tenant/llm/test', () =>
      json({ ok: true, provider: 'openai', model: 'gpt-4o-mini', latency_ms: 87, reply: 'OK', error: null }),
    );
  renderWithApp(<LlmSettingsPanel />);

  await userEvent.click(await screen.findByRole('button', { name: 'Test connection' }));

  expect(await screen.findByText(/answered in 87 ms/)).toBeInTheDocument();
});

test('switching provider starts from that provider’s default model', async () => {
  const api = llmApi();
  renderWithApp(<LlmSettingsPanel />);

  await userEvent.selectOptions(await screen.findByLabelText('Provider'), 'ollama');
  expect(screen.getByLabelText('Model')).toHaveValue('');
  await userEvent.click(screen.getByRole('button', { name: 'Save' }));

  await screen.findByText('Settings saved.');
  expect(api.requests.find((r) => r.method === 'PUT')?.body).toEqual({ provider: 'ollama' });
});
