// The signed-in session. The access token lives in memory only; the refresh
// token is the one secret kept in localStorage, so a reload or a new tab
// stays signed in (docs/web-app.md explains the trade-off).
import { create } from 'zustand';
import type { components } from '@/types/api';

type Tokens = components['schemas']['TokenResponse'];

export const REFRESH_KEY = 'paas.refresh_token';

/** Why there is no session: the person logged out, or it lapsed (a refused refresh). */
export type SignedOutBy = 'logout' | 'expiry';

interface SessionState {
  accessToken: string | null;
  /** Epoch ms after which the access token is no longer sent as is. */
  expiresAt: number;
  /** How the last session ended: a lapsed one returns to where it was at the next log-in, a log-out does not. */
  signedOutBy: SignedOutBy | null;
  signIn: (tokens: Tokens) => void;
  signOut: (by?: SignedOutBy) => void;
}

export const useSession = create<SessionState>()((set) => ({
  accessToken: null,
  expiresAt: 0,
  signedOutBy: null,
  signIn: (tokens) => {
    localStorage.setItem(REFRESH_KEY, tokens.refresh_token);
    set({ accessToken: tokens.access_token, expiresAt: Date.now() + tokens.expires_in * 1000, signedOutBy: null });
  },
  signOut: (by = 'expiry') => {
    localStorage.removeItem(REFRESH_KEY);
    set({ accessToken: null, expiresAt: 0, signedOutBy: by });
  },
}));

export function storedRefreshToken(): string | null {
  return localStorage.getItem(REFRESH_KEY);
}

// Logging out in one tab logs out the others at once, not at their next request.
globalThis.addEventListener?.('storage', (event) => {
  if (event.key === REFRESH_KEY && event.newValue === null && useSession.getState().accessToken)
    useSession.getState().signOut('logout');
});
