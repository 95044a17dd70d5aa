import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, test, vi } from 'vitest';
import { useSession } from '@/lib/session-store';
import { fakeApi, json, problem } from '@/testing/fake-api';
import { renderWithApp } from '@/testing/render';
import { AccountProfile } from './account-profile';
import { ChangePasswordForm } from './change-password-form';
import { LogoutEverywhere } from './logout-everywhere';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const tokens = {
  access_token: 'at-new',
  token_type: 'Bearer',
  expires_in: 900,
  refresh_token: 'rt-new',
  refresh_expires_in: 604800,
};

async function fillPasswords(current: string, next: string, repeat = next) {
  await userEvent.type(screen.getByLabelText('Current password'), current);
  await userEvent.type(screen.getByLabelText('New password'), next);
  await userEvent.type(screen.getByLabelText('Repeat new password'), repeat);
  await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
}

test('changing the password stores the new tokens', async () => {
  const api = fakeApi().on('POST', '/api/auth/password', () => json(tokens));
  renderWithApp(<ChangePasswordForm />);

  await fillPasswords('old password 1', 'brand new password 2');

  expect(await screen.findByText(/Password changed/)).toBeInTheDocument();
  expect(api.requests.at(-1)?.body).toEqual({
    current_password: 'old password 1',
    new_password: 'brand new password 2',
  });
  expect(useSession.getState().accessToken).toBe('at-new');
  expect(localStorage.getItem('paas.refresh_token')).toBe('rt-new');
  expect(screen.getByLabelText('Current password')).toHaveValue('');
});

test('two different new passwords are not sent', async () => {
  const api = fakeApi();
  renderWithApp(<ChangePasswordForm />);

  await fillPasswords('old password 1', 'brand new password 2', 'brand new password 3');

  expect(screen.getByText('The two new passwords differ.')).toBeInTheDocument();
  expect(api.requests).toHaveLength(0);
});

test('a wrong current password is reported and the session kept', async () => {
  fakeApi().on('POST', '/api/auth/password', () =>
    problem(401, 'invalid_credentials', 'The current password is wrong.'),
  );
  renderWithApp(<ChangePasswordForm />);

  await fillPasswords('not it at all', 'brand new password 2');

  expect(await screen.findByRole('alert')).toHaveTextContent('The current password is wrong.');
  expect(useSession.getState().accessToken).toBe('test-access-token');
});

test('"Log out everywhere" revokes on the server, then signs this tab out', async () => {
  const api = fakeApi().on('POST', '/api/auth/logout-all', () => json(null, 204));
  vi.spyOn(window, 'confirm').mockReturnValue(true);
  localStorage.setItem('paas.refresh_token', 'rt-old');
  const loggedOut = vi.fn();
  renderWithApp(<LogoutEverywhere onLoggedOut={loggedOut} />);

  await userEvent.click(screen.getByRole('button', { name: 'Log out everywhere' }));

  await waitFor(() => expect(loggedOut).toHaveBeenCalled());
  expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/auth/logout-all']);
  expect(useSession.getState().accessToken).toBeNull();
  expect(localStorage.getItem('paas.refresh_token')).toBeNull();
});

test('the profile shows who is signed in and where', () => {
  renderWithApp(
    <AccountProfile
      me={{
        platform_admin: false,
        permissions: ['agents_read', 'chat'],
        user: {
          user_id: 'U1',
          email: 'ann@example.com',
          name: 'Ann',
          role: 'user',
          status: 'active',
          created_at: '',
          updated_at: '',
        },
        tenant: {
          tenant_id: 'T1',
          name: 'Acme',
          slug: 'acme',
          plan: 'free',
          status: 'active',
          created_at: '',
          updated_at: '',
          quotas: {
            max_agents: 3,
            max_tools: 10,
            max_api_keys: 10,
            max_users: 5,
            sessions_per_day: 100,
            tokens_per_month: 100000,
            concurrent_turns: 5,
          },
        },
      }}
    />,
  );
  expect(screen.getByText('ann@example.com')).toBeInTheDocument();
  expect(screen.getByText('Acme')).toBeInTheDocument();
  // Labels, as the Users and Usage screens show them, never the API's identifiers.
  expect(screen.getByText('User')).toBeInTheDocument();
  expect(screen.getByText('Free')).toBeInTheDocument();
  const permissions = within(screen.getByRole('list')).getAllByRole('listitem');
  expect(permissions.map((item) => item.textContent)).toEqual(['Chat', 'See agents']);
  expect(screen.queryByText(/agents_read|free|user\b/)).toBeNull();
});

test('a platform operator is called one, with no tenant permissions listed', () => {
  renderWithApp(
    <AccountProfile
      me={{
        platform_admin: true,
        permissions: [],
        user: {
          user_id: 'U0',
          email: 'op@example.com',
          status: 'active',
          created_at: '',
          updated_at: '',
        },
      }}
    />,
  );
  expect(screen.getByText('Platform operator')).toBeInTheDocument();
  expect(screen.queryByText('Permissions')).toBeNull();
});
