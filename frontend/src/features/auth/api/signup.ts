import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { useSession } from '@/lib/session-store';
import type { components } from '@/types/api';

export type SignupInput = components['schemas']['SignupRequest'];

export async function signup(body: SignupInput): Promise<void> {
  useSession.getState().signIn(await unwrap(api.POST('/api/auth/signup', { body })));
}

export const useSignup = () => useMutation({ mutationFn: signup, gcTime: 0 });
