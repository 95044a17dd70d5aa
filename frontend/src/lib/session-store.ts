// The signed-in session. The access token lives in memory only; the refresh
// token is the one secret kept in localStorage, so a reload or a new tab
// stays signed in (docs/web-app.md explains the trade-off).
import { create } from 'zustand';
import type { components } from '@/types/api';

type Tokens = components['schemas']['TokenResponse'];

export const REFRESH_KEY = 'paas.refresh_token';

interface SessionState {
  accessToken: string | null;
  /** Epoch ms after which the access token is no longer sent as is. */
  expiresAt: number;
  signIn: (tokens: Tokens) => void;
  signOut: () => void;
}

export const useSession = create<SessionState>()((set) => ({
  accessToken: null,
  expiresAt: 0,
  signIn: (tokens) => {
    localStorage.setItem(REFRESH_KEY, tokens.refresh_token);
    set({ accessToken: tokens.access_token, expiresAt: Date.now() + tokens.expires_in * 1000 });
  },
  signOut: () => {
    localStorage.removeItem(REFRESH_KEY);
    set({ accessToken: null, expiresAt: 0 });
  },
}));

export function storedRefreshToken(): string | null {
  return localStorage.getItem(REFRESH_KEY);
}

// Logging out in one tab logs out the others at once, not at their next request.
globalThis.addEventListener?.('storage', (event) => {
  if (event.key === REFRESH_KEY && event.newValue === null && useSession.getState().accessToken)
    useSession.getState().signOut();
});
