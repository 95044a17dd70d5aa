import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { useSession } from '@/lib/session-store';
import type { components } from '@/types/api';

export type Me = components['schemas']['MeResponse'];
export type Permission = components['schemas']['Permission'];

export const meQuery = () =>
  queryOptions({ queryKey: ['me'], queryFn: () => unwrap(api.GET('/api/auth/me')), staleTime: 60_000 });

/** The signed-in user, their tenant and what they may do; idle until signed in. */
export function useMe() {
  const signedIn = useSession((s) => s.accessToken !== null);
  return useQuery({ ...meQuery(), enabled: signedIn });
}

export function can(me: Me | undefined, permission: Permission): boolean {
  return !!me && !me.platform_admin && me.permissions.includes(permission);
}
