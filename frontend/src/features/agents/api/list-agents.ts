import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/types/api';

export type Agent = components['schemas']['Agent'];
export type AgentFields = components['schemas']['AgentFields'];

const PAGE_SIZE = 50;

export function listAgents(cursor?: string) {
  return unwrap(api.GET('/api/v1/agents', { params: { query: { limit: PAGE_SIZE, cursor } } }));
}

/** Every agent query starts with this key, so one invalidation refreshes list and details. */
export const agentsKey = ['agents'] as const;

export const agentsQuery = () =>
  infiniteQueryOptions({
    queryKey: [...agentsKey, 'list'],
    queryFn: ({ pageParam }) => listAgents(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

/** The tenant's agents, newest first, one page at a time. */
export const useAgents = () => useInfiniteQuery(agentsQuery());
