import { useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { PAGE_SIZE, pagedQuery } from '@/lib/paged-query';
import type { components } from '@/types/api';

export type TenantTool = components['schemas']['TenantTool'];
export type NewTool = components['schemas']['NewTool'];
export type ToolFields = components['schemas']['ToolFields'];

export function listTools(cursor?: string) {
  return unwrap(api.GET('/api/v1/tools', { params: { query: { limit: PAGE_SIZE, cursor } } }));
}

/** Every tool query starts with this key (the agent editor's list of tools too), so one invalidation refreshes all. */
export const toolsKey = ['tools'] as const;

export const toolsListQuery = () => pagedQuery([...toolsKey, 'list'], listTools);

/** The tenant's own tools (admins only), newest first, one page at a time. */
export const useTools = () => useInfiniteQuery(toolsListQuery());
