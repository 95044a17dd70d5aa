import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/types/api';

export type TenantView = components['schemas']['TenantView'];

// The OpenAPI document names two operations `get_tenant` (this route and the
// platform's), so the generated types lend this route the platform route's
// `tenant_id` path parameter. It has none: `never` only silences that.
export const getTenant = () => unwrap(api.GET('/api/v1/tenant', {} as never));

export const tenantQuery = () => queryOptions({ queryKey: ['tenant'], queryFn: getTenant });

/** The signed-in admin's tenant: its plan and the quotas it works within. */
export const useTenant = () => useQuery(tenantQuery());
