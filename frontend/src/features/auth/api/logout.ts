import { useMutation } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { storedRefreshToken, useSession } from '@/lib/session-store';

/** Ends this session's refresh family on the server, then forgets it here. */
export async function logout(): Promise<void> {
  const refresh_token = storedRefreshToken();
  if (refresh_token) await api.POST('/api/auth/logout', { body: { refresh_token } }).catch(() => undefined);
  useSession.getState().signOut('logout');
}

export const useLogout = () => useMutation({ mutationFn: logout });
