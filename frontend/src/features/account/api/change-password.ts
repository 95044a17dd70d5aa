import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { useSession } from '@/lib/session-store';
import type { components } from '@/types/api';

export type ChangePasswordInput = components['schemas']['ChangePasswordRequest'];

/**
 * Changes the password. The server then revokes every token of the user,
 * this session's included, and answers fresh ones: keep them, or this tab
 * would be signed out too.
 */
export async function changePassword(body: ChangePasswordInput): Promise<void> {
  useSession.getState().signIn(await unwrap(api.POST('/api/auth/password', { body })));
}

// The variables hold both passwords: forget the mutation once the form is gone.
export const useChangePassword = () => useMutation({ mutationFn: changePassword, gcTime: 0 });
