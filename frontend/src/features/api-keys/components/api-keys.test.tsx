import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, test, vi } from 'vitest';
import { makeQueryClient } from '@/lib/query-client';
import { useSession } from '@/lib/session-store';
import { fakeApi, json, problem } from '@/testing/fake-api';
import { renderWithApp } from '@/testing/render';
import { ApiKeysTable } from './api-keys-table';
import { CreateApiKeyForm } from './create-api-key-form';

afterEach(() => vi.unstubAllGlobals());

const SECRET = 'pk_live_abcdefghijklmnopqrstuvwxyz0123456789WXYZ';
const view = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
  key_id: id,
  name,
  prefix: 'pk_live_abcd',
  last4: 'WXYZ',
  scopes: ['chat', 'sessions:read'],
  created_at: '2026-11-01T10:00:00Z',
  last_used_at: null,
  expires_at: null,
  ...extra,
});

test('creating a key shows the full key once, and "Done" removes it from the page and every cache', async () => {
  const api = fakeApi()
    .on('POST', '/api/v1/api-keys', (_req, body) =>
      json({ api_key: view('K1', (body as { name: string }).name), key: SECRET }, 201),
    )
    .on('GET', '/api/v1/api-keys', () => json({ items: [view('K1', 'CI bot')], next_cursor: null }));
  useSession.setState({ accessToken: 'test-access-token', expiresAt: Date.now() + 15 * 60_000 });
  const client = makeQueryClient();
  render(
    <QueryClientProvider client={client}>
      <CreateApiKeyForm />
      <ApiKeysTable />
    </QueryClientProvider>,
  );

  await userEvent.type(screen.getByLabelText('Name'), 'CI bot');
  await userEvent.click(screen.getByRole('checkbox', { name: /sessions:read/ }));
  await userEvent.type(screen.getByLabelText('Expires'), '2099-12-31');
  await userEvent.click(screen.getByRole('button', { name: 'Create key' }));

  const panel = await screen.findByRole('region', { name: 'New API key' });
  expect(within(panel).getByText(SECRET)).toBeInTheDocument();
  expect(panel).toHaveTextContent('cannot be shown again');
  expect(within(panel).getByRole('button', { name: 'Copy key' })).toBeInTheDocument();
  const sent = api.requests.find((r) => r.method === 'POST')?.body as {
    name: string;
    scopes: string[];
    expires_at: string;
  };
  expect(sent).toMatchObject({ name: 'CI bot', scopes: ['chat', 'sessions:read'] });
  expect(new Date(sent.expires_at).getFullYear()).toBe(2099);

  // The list shows only the recognisable part; the secret exists nowhere but the panel.
  expect(await screen.findByText('pk_live_abcd…WXYZ')).toBeInTheDocument();
  await waitFor(() =>
    expect(
      JSON.stringify(
        client
          .getMutationCache()
          .getAll()
          .map((m) => m.state.data),
      ),
    ).not.toContain(SECRET),
  );
  expect(
    JSON.stringify(
      client
        .getQueryCache()
        .getAll()
        .map((q) => q.state.data),
    ),
  ).not.toContain(SECRET);

  await userEvent.click(within(panel).getByRole('button', { name: 'Done' }));
  expect(screen.queryByText(SECRET)).not.toBeInTheDocument();
  expect(document.body).not.toHaveTextContent(SECRET);
  expect(screen.getByRole('form', { name: 'Create an API key' })).toBeInTheDocument();
});

test('a refused key shows the reason and no secret panel', async () => {
  fakeApi().on('POST', '/api/v1/api-keys', () => problem(422, 'validation_failed', 'A key needs at least one scope.'));
  renderWithApp(<CreateApiKeyForm />);

  await userEvent.type(screen.getByLabelText('Name'), 'x');
  await userEvent.click(screen.getByRole('button', { name: 'Create key' }));

  expect(await screen.findByRole('alert')).toHaveTextContent('A key needs at least one scope.');
  expect(screen.queryByRole('region', { name: 'New API key' })).not.toBeInTheDocument();
});

test('the list shows prefix…last4, scopes and dates, and revoking asks first, then sends DELETE', async () => {
  const api = fakeApi()
    .on('GET', '/api/v1/api-keys', () =>
      json({
        items: [
          view('K1', 'CI bot', { last_used_at: '2026-11-20T08:00:00Z' }),
          view('K2', 'Old', { expires_at: '2020-01-01T00:00:00Z' }),
        ],
        next_cursor: null,
      }),
    )
    .on('DELETE', '/api/v1/api-keys/K2', () => json(null, 204));
  const confirm = vi.fn(() => true);
  vi.stubGlobal('confirm', confirm);
  renderWithApp(<ApiKeysTable />);

  const row = (await screen.findByRole('cell', { name: 'Old' })).closest('tr')!;
  expect(row).toHaveTextContent('Expired');
  expect(screen.getAllByText('pk_live_abcd…WXYZ')).toHaveLength(2);
  expect(screen.getAllByText('sessions:read')).toHaveLength(2);

  await userEvent.click(within(row).getByRole('button', { name: 'Revoke Old' }));
  expect(confirm).toHaveBeenCalled();
  await waitFor(() =>
    expect(api.requests.some((r) => r.method === 'DELETE' && r.path === '/api/v1/api-keys/K2')).toBe(true),
  );
});
