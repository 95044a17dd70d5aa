import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { useSession } from '@/lib/session-store';
import type { components } from '@/types/api';

export type TenantChoice = components['schemas']['TenantChoice'];
type Credentials = { email: string; password: string };

/** Signs in; answers the tenants to choose from when the email has several (202). */
export async function login(credentials: Credentials): Promise<{ choices: TenantChoice[] } | null> {
  const data = await unwrap(api.POST('/api/auth/login', { body: credentials }));
  if ('tenants' in data) return { choices: data.tenants };
  useSession.getState().signIn(data);
  return null;
}

export async function loginWithTenant(body: Credentials & { tenant_id: string }): Promise<void> {
  useSession.getState().signIn(await unwrap(api.POST('/api/auth/login-with-tenant', { body })));
}

export const useLogin = () => useMutation({ mutationFn: login, gcTime: 0 });
export const useLoginWithTenant = () => useMutation({ mutationFn: loginWithTenant, gcTime: 0 });
