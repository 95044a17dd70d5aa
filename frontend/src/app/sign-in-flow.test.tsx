import { QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { afterEach, expect, test, vi } from 'vitest';
import { makeQueryClient } from '@/lib/query-client';
import { type SignedOutBy, useSession } from '@/lib/session-store';
import { fakeApi, json } from '@/testing/fake-api';
import { RequireSignedOut, RequireSignIn } from './guards';
import { LoginRoute } from './routes/login';
import { SignupRoute } from './routes/signup';

afterEach(() => vi.unstubAllGlobals());

const tokens = {
  access_token: 'at-2',
  token_type: 'Bearer',
  expires_in: 900,
  refresh_token: 'rt-2',
  refresh_expires_in: 604800,
};

/** The app's guards and log-in page around two stand-in screens: home (`/`) and usage. */
function renderApp(path: string) {
  const router = createMemoryRouter(
    [
      {
        path: '/login',
        element: (
          <RequireSignedOut>
            <LoginRoute />
          </RequireSignedOut>
        ),
      },
      { path: '/signup', element: <SignupRoute /> },
      {
        path: '/',
        element: (
          <RequireSignIn>
            <p>home screen</p>
          </RequireSignIn>
        ),
      },
      {
        path: '/admin/usage',
        element: (
          <RequireSignIn>
            <p>usage screen</p>
          </RequireSignIn>
        ),
      },
    ],
    { initialEntries: [path] },
  );
  render(
    <QueryClientProvider client={makeQueryClient()}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return router;
}

async function signOutThenIn(by: SignedOutBy) {
  fakeApi().on('POST', '/api/auth/login', () => json(tokens));
  useSession.setState({ accessToken: 'at-1', expiresAt: Date.now() + 60_000, signedOutBy: null });
  const router = renderApp('/admin/usage');
  expect(await screen.findByText('usage screen')).toBeInTheDocument();

  act(() => useSession.getState().signOut(by));
  await screen.findByRole('heading', { name: 'Log in' });
  await userEvent.type(screen.getByLabelText('Email'), 'ann@example.com');
  await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery');
  await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
  return router;
}

test('after a log-out, logging in lands on the home screen, not the last one', async () => {
  const router = await signOutThenIn('logout');
  expect(await screen.findByText('home screen')).toBeInTheDocument();
  expect(router.state.location.pathname).toBe('/');
});

test('a session that lapsed comes back to where it was once signed in again', async () => {
  const router = await signOutThenIn('expiry');
  expect(await screen.findByText('usage screen')).toBeInTheDocument();
  expect(router.state.location.pathname).toBe('/admin/usage');
});

test('the log-in and sign-up pages carry the product name, on the page and in the tab', async () => {
  useSession.setState({ accessToken: null, expiresAt: 0 });
  const router = renderApp('/login');
  expect(await screen.findByRole('heading', { name: 'Log in' })).toBeInTheDocument();
  expect(screen.getByText('Agent PaaS')).toBeInTheDocument();
  expect(document.title).toBe('Log in · Agent PaaS');

  await act(() => router.navigate('/signup'));
  expect(await screen.findByRole('heading', { name: 'Create your workspace' })).toBeInTheDocument();
  expect(screen.getByText('Agent PaaS')).toBeInTheDocument();
  expect(document.title).toBe('Create your workspace · Agent PaaS');
});
