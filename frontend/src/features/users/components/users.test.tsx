import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, test, vi } from 'vitest';
import { formatDate } from '@/lib/format';
import { fakeApi, json, problem } from '@/testing/fake-api';
import { renderWithApp } from '@/testing/render';
import { CreateUserForm } from './create-user-form';
import { UsersTable } from './users-table';

afterEach(() => vi.unstubAllGlobals());

const user = (
  id: string,
  email: string,
  role: 'admin' | 'user' | 'viewer',
  status: 'active' | 'invited' | 'suspended' = 'active',
) => ({
  user_id: id,
  email,
  name: null,
  role,
  status,
  created_at: '2026-11-01T10:00:00Z',
  updated_at: '2026-11-01T10:00:00Z',
});

test('adding a user by invite shows the invite link once, and "Done" removes it', async () => {
  const api = fakeApi().on('POST', '/api/v1/users', (_req, body) =>
    json(
      {
        user: user('U9', (body as { email: string }).email, 'viewer', 'invited'),
        invite_token: 'inv_secret_token_123',
      },
      201,
    ),
  );
  renderWithApp(<CreateUserForm />);

  await userEvent.type(screen.getByLabelText('Email'), 'bob@example.com');
  await userEvent.selectOptions(screen.getByLabelText('Role'), 'viewer');
  expect(screen.getByRole('radio', { name: /Invite/ })).toBeChecked();
  await userEvent.click(screen.getByRole('button', { name: 'Add user' }));

  const panel = await screen.findByRole('region', { name: 'Invite token' });
  expect(within(panel).getByText('http://localhost:3000/accept-invite#token=inv_secret_token_123')).toBeInTheDocument();
  expect(panel).toHaveTextContent('cannot be shown again');
  expect(within(panel).getByRole('button', { name: 'Copy token' })).toBeInTheDocument();
  expect(api.requests.at(-1)?.body).toEqual({ email: 'bob@example.com', name: null, role: 'viewer', password: null });

  await userEvent.click(within(panel).getByRole('button', { name: 'Done' }));
  expect(screen.queryByText(/inv_secret_token_123/)).not.toBeInTheDocument();
  expect(screen.getByRole('form', { name: 'Add a user' })).toBeInTheDocument();
});

test('adding a user with a password sends it and shows no token', async () => {
  const api = fakeApi().on('POST', '/api/v1/users', () => json({ user: user('U9', 'cy@example.com', 'user') }, 201));
  renderWithApp(<CreateUserForm />);

  await userEvent.type(screen.getByLabelText('Email'), 'cy@example.com');
  await userEvent.click(screen.getByRole('radio', { name: /initial password/ }));
  await userEvent.type(screen.getByLabelText('Initial password'), 'a fine long password');
  await userEvent.click(screen.getByRole('button', { name: 'Add user' }));

  expect(await screen.findByRole('status')).toHaveTextContent('cy@example.com can sign in now.');
  expect(api.requests.at(-1)?.body).toMatchObject({
    email: 'cy@example.com',
    role: 'user',
    password: 'a fine long password',
  });
  expect(screen.queryByRole('region', { name: 'Invite token' })).not.toBeInTheDocument();
});

test('the users quota error says which quota and its limit', async () => {
  fakeApi().on('POST', '/api/v1/users', () =>
    problem(429, 'quota_exceeded.users', 'The users quota is reached.', { quota: 'users', limit: 5 }),
  );
  renderWithApp(<CreateUserForm />);

  await userEvent.type(screen.getByLabelText('Email'), 'dee@example.com');
  await userEvent.click(screen.getByRole('button', { name: 'Add user' }));

  expect(await screen.findByRole('alert')).toHaveTextContent('Quota reached: users (limit 5).');
});

test("the admin's own row has role, status and delete disabled; others can be changed", async () => {
  const api = fakeApi()
    .on('GET', '/api/v1/users', () =>
      json({
        items: [
          user('ME', 'me@example.com', 'admin'),
          user('U2', 'ann@example.com', 'user'),
          user('U3', 'inv@example.com', 'user', 'invited'),
        ],
        next_cursor: null,
      }),
    )
    .on('PATCH', '/api/v1/users/U2', (_req, body) =>
      json({ ...user('U2', 'ann@example.com', 'user'), ...(body as object) }),
    );
  renderWithApp(<UsersTable currentUserId="ME" />);

  expect(await screen.findByLabelText('Role of me@example.com')).toBeDisabled();
  expect(screen.getByRole('button', { name: 'Suspend me@example.com' })).toBeDisabled();
  expect(screen.getByRole('button', { name: 'Delete me@example.com' })).toBeDisabled();

  expect(screen.getByLabelText('Role of ann@example.com')).toBeEnabled();
  expect(screen.getByRole('button', { name: 'Delete ann@example.com' })).toBeEnabled();
  // Invited users become active by accepting; until then there is no status to toggle.
  expect(screen.queryByRole('button', { name: 'Suspend inv@example.com' })).not.toBeInTheDocument();
  expect(screen.getByRole('cell', { name: 'inv@example.com' }).closest('tr')).toHaveTextContent('Invite pending');

  await userEvent.selectOptions(screen.getByLabelText('Role of ann@example.com'), 'viewer');
  await waitFor(() => expect(api.requests.find((r) => r.method === 'PATCH')?.body).toEqual({ role: 'viewer' }));
  await userEvent.click(screen.getByRole('button', { name: 'Suspend ann@example.com' }));
  await waitFor(() =>
    expect(api.requests.filter((r) => r.method === 'PATCH').at(-1)?.body).toEqual({ status: 'suspended' }),
  );
});

test('deleting asks first, then sends DELETE; "Load more" fetches the next page', async () => {
  const api = fakeApi()
    .on('GET', '/api/v1/users', (req) =>
      new URL(req.url).searchParams.get('cursor') === 'c2'
        ? json({ items: [user('U3', 'zed@example.com', 'viewer')], next_cursor: null })
        : json({
            items: [user('ME', 'me@example.com', 'admin'), user('U2', 'ann@example.com', 'user')],
            next_cursor: 'c2',
          }),
    )
    .on('DELETE', '/api/v1/users/U2', () => json(null, 204));
  vi.stubGlobal(
    'confirm',
    vi.fn(() => true),
  );
  renderWithApp(<UsersTable currentUserId="ME" />);

  await userEvent.click(await screen.findByRole('button', { name: 'Load more' }));
  expect(await screen.findByRole('cell', { name: 'zed@example.com' })).toBeInTheDocument();
  expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();

  await userEvent.click(screen.getByRole('button', { name: 'Delete ann@example.com' }));
  expect(window.confirm).toHaveBeenCalled();
  await waitFor(() =>
    expect(api.requests.some((r) => r.method === 'DELETE' && r.path === '/api/v1/users/U2')).toBe(true),
  );
});

test('roles and statuses show as the same words as everywhere else, and the date without the clock', async () => {
  fakeApi().on('GET', '/api/v1/users', () =>
    json({
      items: [user('U2', 'ann@example.com', 'viewer', 'suspended'), user('U3', 'inv@example.com', 'user', 'invited')],
      next_cursor: null,
    }),
  );
  renderWithApp(<UsersTable currentUserId="ME" />);

  const ann = (await screen.findByRole('cell', { name: 'ann@example.com' })).closest('tr')!;
  expect(within(ann).getByRole('combobox', { name: 'Role of ann@example.com' })).toHaveDisplayValue('Viewer');
  expect(within(ann).getByText('Suspended')).toHaveClass('badge');
  expect(ann).toHaveTextContent(formatDate('2026-11-01T10:00:00Z'));
  const invited = screen.getByRole('cell', { name: 'inv@example.com' }).closest('tr')!;
  expect(within(invited).getByText('Invited')).toHaveClass('badge');
});
