import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, test, vi } from 'vitest';
import { useSession } from '@/lib/session-store';
import { fakeApi, json, problem } from '@/testing/fake-api';
import { renderWithApp } from '@/testing/render';
import { LoginForm } from './login-form';

const tokens = {
  access_token: 'at',
  token_type: 'Bearer',
  expires_in: 900,
  refresh_token: 'rt-1',
  refresh_expires_in: 604800,
};

afterEach(() => vi.unstubAllGlobals());

test('an email in several workspaces asks which one, then signs in to it', async () => {
  const api = fakeApi()
    .on('POST', '/api/auth/login', () =>
      json(
        {
          tenants: [
            { tenant_id: 'T1', slug: 'acme', name: 'Acme' },
            { tenant_id: 'T2', slug: 'globex', name: 'Globex' },
          ],
        },
        202,
      ),
    )
    .on('POST', '/api/auth/login-with-tenant', () => json(tokens));
  const signedIn = vi.fn();
  renderWithApp(<LoginForm onSignedIn={signedIn} />, { signedIn: false });

  await userEvent.type(screen.getByLabelText('Email'), 'ann@example.com');
  await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery');
  await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
  await userEvent.click(await screen.findByRole('radio', { name: /Globex/ }));
  await userEvent.click(screen.getByRole('button', { name: 'Continue' }));

  await waitFor(() => expect(signedIn).toHaveBeenCalled());
  expect(api.requests.at(-1)?.body).toEqual({
    email: 'ann@example.com',
    password: 'correct horse battery',
    tenant_id: 'T2',
  });
  expect(useSession.getState().accessToken).toBe('at');
  expect(localStorage.getItem('paas.refresh_token')).toBe('rt-1');
});

test('wrong credentials show the server’s reason and sign nobody in', async () => {
  fakeApi().on('POST', '/api/auth/login', () => problem(401, 'invalid_credentials', 'The email or password is wrong.'));
  const signedIn = vi.fn();
  renderWithApp(<LoginForm onSignedIn={signedIn} />, { signedIn: false });

  await userEvent.type(screen.getByLabelText('Email'), 'ann@example.com');
  await userEvent.type(screen.getByLabelText('Password'), 'nope nope nope');
  await userEvent.click(screen.getByRole('button', { name: 'Log in' }));

  expect(await screen.findByRole('alert')).toHaveTextContent('The email or password is wrong.');
  expect(signedIn).not.toHaveBeenCalled();
  expect(useSession.getState().accessToken).toBeNull();
});

test('a lock-out says how long to wait in minutes, not in seconds', async () => {
  // AppError::RateLimited's wording on the server.
  fakeApi().on('POST', '/api/auth/login', () =>
    problem(429, 'too_many_attempts', 'too many attempts; try again in 330 seconds'),
  );
  renderWithApp(<LoginForm onSignedIn={vi.fn()} />, { signedIn: false });

  await userEvent.type(screen.getByLabelText('Email'), 'ann@example.com');
  await userEvent.type(screen.getByLabelText('Password'), 'nope nope nope');
  await userEvent.click(screen.getByRole('button', { name: 'Log in' }));

  const alert = await screen.findByRole('alert');
  expect(alert).toHaveTextContent(/^Too many attempts\. Try again in 5 min 30 s \(.+\)\.$/);
  expect(alert).not.toHaveTextContent('seconds');
});
