import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, test, vi } from 'vitest';
import { useSession } from '@/lib/session-store';
import { fakeApi, json, problem } from '@/testing/fake-api';
import { renderWithApp } from '@/testing/render';
import { AcceptInviteForm } from './accept-invite-form';

afterEach(() => vi.unstubAllGlobals());

const tokens = {
  access_token: 'at-new',
  token_type: 'Bearer',
  expires_in: 900,
  refresh_token: 'rt-new',
  refresh_expires_in: 604800,
};

test('two different passwords are not sent; matching ones join and sign in', async () => {
  const api = fakeApi().on('POST', '/api/auth/accept-invite', () => json(tokens));
  const accepted = vi.fn();
  renderWithApp(<AcceptInviteForm token="inv-123" onAccepted={accepted} />, { signedIn: false });

  await userEvent.type(screen.getByLabelText('Password'), 'a long password one');
  await userEvent.type(screen.getByLabelText('Password again'), 'a long password two');
  expect(screen.getByText('The two passwords differ.')).toBeInTheDocument();
  expect(screen.getByRole('button', { name: 'Join the workspace' })).toBeDisabled();

  await userEvent.clear(screen.getByLabelText('Password again'));
  await userEvent.type(screen.getByLabelText('Password again'), 'a long password one');
  await userEvent.click(screen.getByRole('button', { name: 'Join the workspace' }));

  await waitFor(() => expect(accepted).toHaveBeenCalled());
  expect(api.requests[0]?.body).toEqual({ invite_token: 'inv-123', password: 'a long password one', name: null });
  expect(useSession.getState().accessToken).toBe('at-new');
});

test('a used or expired invite says so', async () => {
  fakeApi().on('POST', '/api/auth/accept-invite', () =>
    problem(409, 'invite_invalid', 'The invite is invalid or has expired.'),
  );
  renderWithApp(<AcceptInviteForm token="old" onAccepted={vi.fn()} />, { signedIn: false });
  await userEvent.type(screen.getByLabelText('Password'), 'a long password one');
  await userEvent.type(screen.getByLabelText('Password again'), 'a long password one');
  await userEvent.click(screen.getByRole('button', { name: 'Join the workspace' }));
  expect(await screen.findByRole('alert')).toHaveTextContent('The invite is invalid or has expired.');
});
