import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { useSession } from '@/lib/session-store';
import type { components } from '@/types/api';

export type AcceptInviteInput = components['schemas']['AcceptInviteRequest'];

/** Trades an invite token and a chosen password for a session. */
export async function acceptInvite(body: AcceptInviteInput): Promise<void> {
  useSession.getState().signIn(await unwrap(api.POST('/api/auth/accept-invite', { body })));
}

export const useAcceptInvite = () => useMutation({ mutationFn: acceptInvite, gcTime: 0 });
