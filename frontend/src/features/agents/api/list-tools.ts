import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { allPages } from '@/lib/paged-query';
import type { components } from '@/types/api';

export type TenantTool = components['schemas']['TenantTool'];

/** Every one of the tenant's tools, for an agent to pick from (the tools quota bounds them). */
export function listTools(): Promise<TenantTool[]> {
  return allPages((cursor) => unwrap(api.GET('/api/v1/tools', { params: { query: { limit: 100, cursor } } })));
}

export const toolsQuery = () => queryOptions({ queryKey: ['tools'], queryFn: listTools });

/** The tenant's own tools; only admins (tenant_manage) may list them, so others pass `enabled: false`. */
export const useTenantTools = (enabled: boolean) => useQuery({ ...toolsQuery(), enabled });
