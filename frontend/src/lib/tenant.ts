// The signed-in person's workspace (`GET /api/v1/tenant`, every role may read
// it): one query that the usage and workspace screens share, so a saved
// change shows on both.
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/types/api';

export type TenantView = components['schemas']['TenantView'];
export type TenantSettings = components['schemas']['TenantSettings'];

export const tenantQuery = () =>
  queryOptions({ queryKey: ['tenant'], queryFn: () => unwrap(api.GET('/api/v1/tenant')) });

export const useTenant = () => useQuery(tenantQuery());
