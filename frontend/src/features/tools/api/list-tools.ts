import { useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { pagedQuery } from '@/lib/paged-query';
import type { components } from '@/types/api';

export type TenantTool = components['schemas']['TenantTool'];
export type NewTool = components['schemas']['NewTool'];
export type ToolFields = components['schemas']['ToolFields'];

/** The API answers every tool in one page; the cursor is never needed. */
export function listTools() {
  return unwrap(api.GET('/api/v1/tools'));
}

/** Every tool query starts with this key (the agent editor's list of tools too), so one invalidation refreshes all. */
export const toolsKey = ['tools'] as const;

export const toolsListQuery = () => pagedQuery([...toolsKey, 'list'], () => listTools());

/** The tenant's own tools (admins only). */
export const useTools = () => useInfiniteQuery(toolsListQuery());
