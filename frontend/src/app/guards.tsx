import { type ReactNode, useEffect, useState } from 'react';
import { Navigate, useLocation } from 'react-router';
import { EmptyState, ErrorAlert, Loading } from '@/components/ui';
import { useMe } from '@/features/auth/api/get-me';
import { refreshSession } from '@/lib/api-client';
import { storedRefreshToken, useSession } from '@/lib/session-store';
import { allowed, type NavItem } from './nav';

/** Restores a session from the stored refresh token once, on first load. */
function useRestoredSession(): 'pending' | 'in' | 'out' {
  const signedIn = useSession((s) => s.accessToken !== null);
  const [restoring, setRestoring] = useState(() => !signedIn && !!storedRefreshToken());
  useEffect(() => {
    if (restoring) void refreshSession().finally(() => setRestoring(false));
  }, [restoring]);
  if (restoring) return 'pending';
  return signedIn ? 'in' : 'out';
}

export function RequireSignIn({ children }: { children: ReactNode }) {
  const state = useRestoredSession();
  const location = useLocation();
  const signedOutBy = useSession((s) => s.signedOutBy);
  if (state === 'pending') return <Loading label="Signing in…" />;
  if (state === 'out') {
    // A lapsed session comes back to where it was; after a log-out, the next person starts at their home.
    const from = signedOutBy === 'logout' ? undefined : { from: location.pathname + location.search };
    return <Navigate to="/login" replace state={from} />;
  }
  return children;
}

export function RequireSignedOut({ children }: { children: ReactNode }) {
  const state = useRestoredSession();
  if (state === 'pending') return <Loading />;
  if (state === 'in') return <Navigate to="/" replace />;
  return children;
}

/** Screens a role may not use are not shown, and are refused if typed in. */
export function RequirePermission({ needs, children }: { needs: NavItem['needs']; children: ReactNode }) {
  const me = useMe();
  if (me.isPending) return <Loading />;
  // Not knowing who you are (an outage) is not the same as not being allowed.
  if (me.isError) return <ErrorAlert error={me.error} />;
  if (!allowed(me.data, needs)) {
    return (
      <EmptyState title="Not available">
        <p>Your role does not include this screen. Ask an admin of your workspace if you need it.</p>
      </EmptyState>
    );
  }
  return children;
}
