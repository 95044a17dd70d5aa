// The one HTTP client: typed from the server's OpenAPI description, adds the
// access token, and refreshes it silently (before expiry, and once on a 401).
// No UI side effects: a refused refresh only clears the session store.
import createClient from 'openapi-fetch';
import { env } from '@/config/env';
import { ApiError } from '@/lib/problem';
import { storedRefreshToken, useSession } from '@/lib/session-store';
import type { paths } from '@/types/api';

const EARLY_REFRESH_MS = 30_000;

let inFlight: Promise<boolean> | null = null;

/** Trades the stored refresh token for new tokens; one call at a time per tab. */
export function refreshSession(): Promise<boolean> {
  inFlight ??= doRefresh().finally(() => {
    inFlight = null;
  });
  return inFlight;
}

async function doRefresh(retried = false): Promise<boolean> {
  const token = storedRefreshToken();
  if (!token) {
    // Logged out in another tab: this one is signed out too.
    if (useSession.getState().accessToken) useSession.getState().signOut('logout');
    return false;
  }
  const response = await fetch(`${env.apiUrl}/api/auth/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: token }),
  }).catch(() => null);
  if (response?.ok) {
    useSession.getState().signIn(await response.json());
    return true;
  }
  // Only the server refusing the token ends the session; a network error, an
  // outage or a rate limit (429) says nothing about it: keep it for a later try.
  if (!response || ![401, 403, 409].includes(response.status)) return false;
  // 409: another tab rotated the token a moment ago; give it time to store the successor.
  if (response.status === 409 && !retried) await new Promise((r) => setTimeout(r, 300));
  if (!retried && storedRefreshToken() !== token) return doRefresh(true);
  // Only the token that failed is forgotten, never a successor another tab stored.
  if (storedRefreshToken() === token) useSession.getState().signOut();
  return false;
}

async function accessToken(): Promise<string | null> {
  const { accessToken, expiresAt } = useSession.getState();
  if (accessToken && Date.now() < expiresAt - EARLY_REFRESH_MS) return accessToken;
  if (!storedRefreshToken()) return accessToken;
  await refreshSession();
  return useSession.getState().accessToken;
}

/** `fetch` with the session's bearer token, retried once after a refresh on 401. */
export async function authedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  const send = async (token: string | null) => {
    const attempt = request.clone();
    if (token) attempt.headers.set('authorization', `Bearer ${token}`);
    return fetch(attempt);
  };
  const token = await accessToken();
  const response = await send(token);
  if (response.status !== 401 || !token || !(await credentialRefused(response))) return response;
  // Another request may have refreshed while this one was out: use its token before rotating again.
  const current = useSession.getState().accessToken;
  if (current && current !== token) return send(current);
  if (!(await refreshSession())) return response;
  return send(useSession.getState().accessToken);
}

/** A 401 about the session's token (`unauthorized`), not about a password the request carried. */
async function credentialRefused(response: Response): Promise<boolean> {
  const problem = await response
    .clone()
    .json()
    .catch(() => ({}));
  return (problem as { code?: string }).code !== 'invalid_credentials';
}

export const api = createClient<paths>({ baseUrl: env.apiUrl, fetch: (request) => authedFetch(request) });

/** The data of an openapi-fetch result, or the API's problem as an `ApiError`. */
export async function unwrap<T>(result: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let outcome;
  try {
    outcome = await result;
  } catch (cause) {
    throw new ApiError(0, { title: 'Network error', detail: `The server could not be reached (${String(cause)}).` });
  }
  const { data, error, response } = outcome;
  if (error !== undefined || !response.ok) {
    throw new ApiError(response.status, (error ?? {}) as ConstructorParameters<typeof ApiError>[1], response.headers);
  }
  return data as T;
}
