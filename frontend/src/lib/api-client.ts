// The one HTTP client: typed from the server's OpenAPI description, adds the
// access token, and refreshes it silently (before expiry, and once on a 401).
// No UI side effects: a failed refresh only clears the session store.
import createClient from 'openapi-fetch';
import { env } from '@/config/env';
import { ApiError, errorFromResponse } from '@/lib/problem';
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
  if (!token) return false;
  const response = await fetch(`${env.apiUrl}/api/auth/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: token }),
  }).catch(() => null);
  if (response?.ok) {
    useSession.getState().signIn(await response.json());
    return true;
  }
  // Another tab rotated the token a moment ago: it stored the successor.
  if (response?.status === 409 && !retried && storedRefreshToken() !== token) return doRefresh(true);
  if (response && response.status < 500) useSession.getState().signOut();
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
  if (response.status !== 401 || !token) return response;
  if (!(await refreshSession())) return response;
  return send(useSession.getState().accessToken);
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
    throw new ApiError(response.status, (error ?? {}) as ConstructorParameters<typeof ApiError>[1]);
  }
  return data as T;
}

export { errorFromResponse };
