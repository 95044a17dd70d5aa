import { afterEach, expect, test, vi } from 'vitest';
import { fakeApi, json, problem } from '@/testing/fake-api';
import { api, unwrap } from './api-client';
import { REFRESH_KEY, useSession } from './session-store';

afterEach(() => vi.unstubAllGlobals());

const tokens = (n: number) => ({
  access_token: `at-${n}`,
  token_type: 'Bearer',
  expires_in: 900,
  refresh_token: `rt-${n}`,
  refresh_expires_in: 604800,
});

/** A server whose current access token is `at-<n>`, rotating on each refresh. */
function server() {
  let generation = 1;
  return fakeApi()
    .on('POST', '/api/auth/refresh', (_request, body) => {
      if ((body as { refresh_token: string }).refresh_token !== `rt-${generation}`)
        return problem(401, 'unauthorized', 'unknown refresh token');
      generation += 1;
      return json(tokens(generation));
    })
    .on('GET', '/api/v1/tenant', (request) =>
      request.headers.get('authorization') === `Bearer at-${generation}`
        ? json({ name: 'Acme' })
        : problem(401, 'unauthorized', 'expired'),
    );
}

test('an expired access token is refreshed once, silently, and the request answered', async () => {
  const api_ = server();
  useSession.getState().signIn(tokens(1));
  useSession.setState({ accessToken: 'at-stale' }); // the server no longer accepts it

  const [a, b, c] = await Promise.all([1, 2, 3].map(() => unwrap(api.GET('/api/v1/tenant'))));

  expect([a, b, c]).toEqual([{ name: 'Acme' }, { name: 'Acme' }, { name: 'Acme' }]);
  expect(api_.requests.filter((r) => r.path === '/api/auth/refresh')).toHaveLength(1);
  expect(localStorage.getItem(REFRESH_KEY)).toBe('rt-2');
  expect(useSession.getState().accessToken).toBe('at-2');
});

test('a token about to expire is refreshed before the request goes out', async () => {
  const api_ = server();
  useSession.getState().signIn({ ...tokens(1), expires_in: 10 });

  await unwrap(api.GET('/api/v1/tenant'));

  expect(api_.requests.map((r) => r.path)).toEqual(['/api/auth/refresh', '/api/v1/tenant']);
});

test('a refused refresh signs out and the caller gets the 401', async () => {
  server();
  useSession.getState().signIn(tokens(7)); // a refresh token the server never issued
  useSession.setState({ accessToken: 'at-stale' });

  await expect(unwrap(api.GET('/api/v1/tenant'))).rejects.toMatchObject({ status: 401 });
  expect(useSession.getState().accessToken).toBeNull();
  expect(localStorage.getItem(REFRESH_KEY)).toBeNull();
});

test('a rate-limited or unreachable refresh keeps the session; the next try succeeds', async () => {
  let refresh: 'rate_limited' | 'network' | 'ok' = 'rate_limited';
  fakeApi()
    .on('POST', '/api/auth/refresh', () => {
      if (refresh === 'network') throw new TypeError('Failed to fetch');
      return refresh === 'ok' ? json(tokens(2)) : problem(429, 'too_many_attempts', 'try again in 5 seconds');
    })
    .on('GET', '/api/v1/tenant', (request) =>
      request.headers.get('authorization') === 'Bearer at-2'
        ? json({ name: 'Acme' })
        : problem(401, 'unauthorized', 'expired'),
    );
  useSession.getState().signIn(tokens(1));
  useSession.setState({ accessToken: 'at-stale' });

  for (const failure of ['rate_limited', 'network'] as const) {
    refresh = failure;
    await expect(unwrap(api.GET('/api/v1/tenant'))).rejects.toMatchObject({ status: 401 });
    expect(useSession.getState().accessToken).toBe('at-stale');
    expect(localStorage.getItem(REFRESH_KEY)).toBe('rt-1');
  }
  refresh = 'ok';
  await expect(unwrap(api.GET('/api/v1/tenant'))).resolves.toEqual({ name: 'Acme' });
});

test('a wrong password in a request is its answer, not a reason to refresh the session', async () => {
  const api_ = server().on('POST', '/api/auth/password', () =>
    problem(401, 'invalid_credentials', 'The current password is wrong.'),
  );
  useSession.getState().signIn(tokens(1));
  useSession.setState({ accessToken: 'at-1' });

  await expect(
    unwrap(api.POST('/api/auth/password', { body: { current_password: 'nope', new_password: 'a new long password' } })),
  ).rejects.toMatchObject({ status: 401, code: 'invalid_credentials' });
  expect(api_.requests.map((r) => r.path)).toEqual(['/api/auth/password']);
  expect(useSession.getState().accessToken).toBe('at-1');
});

test('logging out in another tab signs this one out at once', () => {
  useSession.getState().signIn(tokens(1));
  localStorage.removeItem(REFRESH_KEY); // what the other tab did
  window.dispatchEvent(new StorageEvent('storage', { key: REFRESH_KEY, oldValue: 'rt-1', newValue: null }));
  expect(useSession.getState().accessToken).toBeNull();
});
