import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/types/api';

export type TenantTool = components['schemas']['TenantTool'];

export function listTools() {
  return unwrap(api.GET('/api/v1/tools'));
}

export const toolsQuery = () => queryOptions({ queryKey: ['tools'], queryFn: listTools });

/** The tenant's own tools; only admins (tenant_manage) may list them, so others pass `enabled: false`. */
export const useTenantTools = (enabled: boolean) => useQuery({ ...toolsQuery(), enabled });
