import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/types/api';

export type TenantView = components['schemas']['TenantView'];

export const getTenant = () => unwrap(api.GET('/api/v1/tenant'));

export const tenantQuery = () => queryOptions({ queryKey: ['tenant'], queryFn: getTenant });

/** The signed-in admin's tenant: its plan and the quotas it works within. */
export const useTenant = () => useQuery(tenantQuery());
