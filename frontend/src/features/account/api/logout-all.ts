import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { useSession } from '@/lib/session-store';

/** Revokes every session of the user on every device, then forgets this one. */
export async function logoutAll(): Promise<void> {
  await unwrap(api.POST('/api/auth/logout-all'));
  useSession.getState().signOut('logout');
}

export function useLogoutAll() {
  const client = useQueryClient();
  // Nothing cached may outlive the session it was fetched for.
  return useMutation({ mutationFn: logoutAll, onSuccess: () => client.clear() });
}
