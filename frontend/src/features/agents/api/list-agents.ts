import { useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { PAGE_SIZE, pagedQuery } from '@/lib/paged-query';
import type { components } from '@/types/api';

export type Agent = components['schemas']['Agent'];
export type AgentFields = components['schemas']['AgentFields'];

export function listAgents(cursor?: string) {
  return unwrap(api.GET('/api/v1/agents', { params: { query: { limit: PAGE_SIZE, cursor } } }));
}

/** Every agent query starts with this key, so one invalidation refreshes list and details. */
export const agentsKey = ['agents'] as const;

export const agentsQuery = () => pagedQuery([...agentsKey, 'list'], listAgents);

/** The tenant's agents, newest first, one page at a time. */
export const useAgents = () => useInfiniteQuery(agentsQuery());
