import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, test, vi } from 'vitest';
import { fakeApi, json, problem } from '@/testing/fake-api';
import { renderWithApp } from '@/testing/render';
import { AllowedHostsHint } from './allowed-hosts-hint';
import { WorkspaceSettings } from './workspace-settings';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const tenant = (settings: object) => ({
  tenant_id: 'T1',
  slug: 'acme',
  name: 'Acme',
  plan: 'free',
  status: 'active',
  settings,
  quota_overrides: {},
  quotas: {},
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
});

/** Answers PATCH as the server does: `settings` replaces the stored settings whole. */
function tenantApi(settings: object) {
  let stored = tenant(settings);
  return fakeApi()
    .on('GET', '/api/v1/tenant', () => json(stored))
    .on('PATCH', '/api/v1/tenant', (_, body) => {
      stored = { ...stored, ...(body as object), updated_at: new Date().toISOString() };
      return json(stored);
    });
}

const hostList = () => screen.getByRole('list', { name: 'Allowed hosts' });

test('hosts are added and removed, then saved with the other settings', async () => {
  const api = tenantApi({ members_manage_agents: true, allowed_hosts: ['example.com'] });
  renderWithApp(<WorkspaceSettings />);

  expect(await screen.findByText(/At most 50 hosts, each at most 253 characters/)).toBeInTheDocument();
  expect(screen.getByText('1 of 50 hosts.')).toBeInTheDocument();
  const add = screen.getByLabelText('Add a host');
  await userEvent.type(add, '*.Docs.Example.org{enter}');
  await userEvent.type(add, 'https://127.0.0.1:8080/hello');
  await userEvent.click(screen.getByRole('button', { name: 'Add host' }));
  expect(
    within(hostList())
      .getAllByRole('listitem')
      .map((li) => li.querySelector('code')?.textContent),
  ).toEqual(['example.com', '*.docs.example.org', '127.0.0.1']);
  await userEvent.click(screen.getByRole('button', { name: 'Remove example.com' }));
  await userEvent.click(screen.getByRole('button', { name: 'Save' }));

  expect(await screen.findByText('Settings saved.')).toBeInTheDocument();
  expect(api.requests.filter((r) => r.method === 'PATCH').map((r) => r.body)).toEqual([
    { settings: { members_manage_agents: true, allowed_hosts: ['*.docs.example.org', '127.0.0.1'] } },
  ]);
  expect(within(hostList()).getAllByRole('listitem')).toHaveLength(2);
});

test('a host the server would refuse is caught as it is added', async () => {
  const api = tenantApi({});
  renderWithApp(<WorkspaceSettings />);

  expect(await screen.findByText(/No hosts yet:/)).toBeInTheDocument();
  const add = screen.getByLabelText('Add a host');
  await userEvent.type(add, 'bad_host.example.com{enter}');
  expect(add).toHaveAccessibleDescription(/letters, digits and hyphens between dots/);
  await userEvent.clear(add);
  await userEvent.type(add, `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}{enter}`);
  expect(add).toHaveAccessibleDescription('A host is at most 253 characters.');
  expect(screen.queryByRole('list', { name: 'Allowed hosts' })).not.toBeInTheDocument();
  expect(api.requests.some((r) => r.method === 'PATCH')).toBe(false);
});

test('no more than 50 hosts can be added', async () => {
  const hosts = Array.from({ length: 50 }, (_, i) => `host${i}.example.com`);
  tenantApi({ allowed_hosts: hosts });
  renderWithApp(<WorkspaceSettings />);

  expect(await screen.findByText('50 of 50 hosts.')).toBeInTheDocument();
  expect(screen.getByRole('button', { name: 'Add host' })).toBeDisabled();
});

test('the name and who may manage agents are saved; a refusal shows as an alert', async () => {
  const api = fakeApi()
    .on('GET', '/api/v1/tenant', () => json(tenant({ allowed_hosts: ['example.com'] })))
    .on('PATCH', '/api/v1/tenant', (_, body) =>
      (body as { name?: string }).name === 'Taken'
        ? problem(422, 'validation_failed', 'name is refused')
        : json({ ...tenant({}), ...(body as object), updated_at: '2026-02-02T00:00:00Z' }),
    );
  renderWithApp(<WorkspaceSettings />);

  const name = await screen.findByLabelText('Workspace name');
  await userEvent.clear(name);
  await userEvent.type(name, 'Taken');
  await userEvent.click(screen.getByRole('button', { name: 'Save' }));
  expect(await screen.findByRole('alert')).toHaveTextContent(/name is refused/i);

  await userEvent.clear(name);
  await userEvent.type(name, 'Acme Rockets');
  await userEvent.click(screen.getByLabelText(/Users \(not only admins\) may create, edit and delete agents/));
  await userEvent.click(screen.getByRole('button', { name: 'Save' }));
  expect(await screen.findByText('Settings saved.')).toBeInTheDocument();
  expect(api.requests.filter((r) => r.method === 'PATCH').at(-1)?.body).toEqual({
    name: 'Acme Rockets',
    settings: { members_manage_agents: true, allowed_hosts: ['example.com'] },
  });
});

test("the agent editor's hint names the allowed hosts, or says there are none, and links to this screen", async () => {
  tenantApi({ allowed_hosts: ['example.com', '*.docs.example.org'] });
  const { unmount } = renderWithApp(<AllowedHostsHint canEdit />);
  expect(
    await screen.findByText(/fetch only from the workspace’s allowed hosts \(example\.com, \*\.docs\.example\.org\)/),
  ).toBeInTheDocument();
  expect(screen.getByRole('link', { name: 'Workspace settings' })).toHaveAttribute('href', '/settings/workspace');
  unmount();
  vi.unstubAllGlobals();

  tenantApi({ allowed_hosts: [] });
  renderWithApp(<AllowedHostsHint canEdit={false} />);
  expect(await screen.findByText(/allows no hosts yet, so this agent cannot fetch anything/)).toBeInTheDocument();
  expect(screen.queryByRole('link')).not.toBeInTheDocument();
});
