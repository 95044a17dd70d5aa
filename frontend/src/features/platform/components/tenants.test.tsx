import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, test, vi } from 'vitest';
import { fakeApi, json } from '@/testing/fake-api';
import { renderWithApp } from '@/testing/render';
import { TenantsTable } from './tenants-table';

afterEach(() => vi.unstubAllGlobals());

const tenant = (id: string, name: string, slug: string, extra: Record<string, unknown> = {}) => ({
  tenant_id: id,
  name,
  slug,
  plan: 'free',
  status: 'active',
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  quotas: {
    max_users: 5,
    max_agents: 3,
    max_tools: 10,
    max_api_keys: 10,
    sessions_per_day: 100,
    tokens_per_month: 200000,
    concurrent_turns: 5,
  },
  quota_overrides: {},
  ...extra,
});

function serve(
  items = [tenant('T1', 'Acme', 'acme'), tenant('T2', 'Globex', 'globex', { plan: 'pro', status: 'suspended' })],
) {
  return fakeApi()
    .on('GET', '/api/platform/tenants', () => json({ items, next_cursor: null }))
    .on('PATCH', /^\/api\/platform\/tenants\/T\d$/, (req, body) => {
      const id = new URL(req.url).pathname.split('/').pop()!;
      return json({ ...items.find((t) => t.tenant_id === id), ...(body as object) });
    })
    .on('DELETE', /^\/api\/platform\/tenants\/T\d$/, () => json(null, 204));
}

const patches = (api: ReturnType<typeof serve>) => api.requests.filter((r) => r.method === 'PATCH');

async function manage(name: string) {
  await userEvent.click(await screen.findByRole('button', { name: `Manage ${name}` }));
  return screen.getByRole('group', { name: `Manage ${name}` });
}

test('lists tenants with name, slug, plan, status and created date', async () => {
  serve();
  renderWithApp(<TenantsTable />);
  const row = (await screen.findByRole('cell', { name: 'Globex' })).closest('tr')!;
  expect(row).toHaveTextContent('globex');
  expect(row).toHaveTextContent('Pro');
  expect(row).toHaveTextContent('Suspended');
});

test('suspending a tenant asks first, then sends {"status":"suspended"}', async () => {
  const api = serve();
  const confirm = vi.fn(() => true);
  vi.stubGlobal('confirm', confirm);
  renderWithApp(<TenantsTable />);

  const panel = await manage('Acme');
  await userEvent.click(within(panel).getByRole('button', { name: 'Suspend' }));

  expect(confirm).toHaveBeenCalled();
  await waitFor(() => expect(patches(api)).toHaveLength(1));
  expect(patches(api)[0]).toMatchObject({ path: '/api/platform/tenants/T1', body: { status: 'suspended' } });
});

test('a suspended tenant can be reactivated', async () => {
  const api = serve();
  renderWithApp(<TenantsTable />);
  const panel = await manage('Globex');
  await userEvent.click(within(panel).getByRole('button', { name: 'Reactivate' }));
  await waitFor(() =>
    expect(patches(api)[0]).toMatchObject({ path: '/api/platform/tenants/T2', body: { status: 'active' } }),
  );
});

test('changing the plan and quota overrides: empty fields follow the plan (null)', async () => {
  const api = serve([tenant('T1', 'Acme', 'acme', { quota_overrides: { max_users: 9 } })]);
  renderWithApp(<TenantsTable />);
  const panel = await manage('Acme');

  await userEvent.selectOptions(within(panel).getByLabelText('Plan'), 'enterprise');
  await userEvent.click(within(panel).getByRole('button', { name: 'Save plan' }));
  await waitFor(() => expect(patches(api)[0]?.body).toEqual({ plan: 'enterprise' }));

  expect(within(panel).getByLabelText('Max users')).toHaveValue(9);
  expect(within(panel).getByLabelText('Sessions per day')).toHaveAttribute('placeholder', 'plan: 100');
  await userEvent.clear(within(panel).getByLabelText('Max users'));
  await userEvent.type(within(panel).getByLabelText('Tokens per month'), '5000000');
  await userEvent.type(within(panel).getByLabelText('Concurrent chat turns'), '20');
  await userEvent.click(within(panel).getByRole('button', { name: 'Save overrides' }));
  await waitFor(() => expect(patches(api)).toHaveLength(2));
  expect(patches(api)[1]?.body).toEqual({
    quota_overrides: {
      max_users: null,
      max_agents: null,
      max_tools: null,
      max_api_keys: null,
      sessions_per_day: null,
      tokens_per_month: 5000000,
      concurrent_turns: 20,
    },
  });
});

test('deleting needs the slug typed, then a confirmation', async () => {
  const api = serve();
  vi.stubGlobal(
    'confirm',
    vi.fn(() => true),
  );
  renderWithApp(<TenantsTable />);
  const panel = await manage('Acme');

  const button = within(panel).getByRole('button', { name: 'Delete tenant' });
  expect(button).toBeDisabled();
  await userEvent.type(within(panel).getByLabelText('Type acme to delete this tenant'), 'acm');
  expect(button).toBeDisabled();
  await userEvent.type(within(panel).getByLabelText('Type acme to delete this tenant'), 'e');
  expect(button).toBeEnabled();
  await userEvent.click(button);

  await waitFor(() =>
    expect(api.requests.some((r) => r.method === 'DELETE' && r.path === '/api/platform/tenants/T1')).toBe(true),
  );
});
