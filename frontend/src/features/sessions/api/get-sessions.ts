import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/types/api';

export type Session = components['schemas']['Session'];

export const sessionsKey = ['sessions'] as const;

export const sessionsQuery = () =>
  infiniteQueryOptions({
    queryKey: sessionsKey,
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/v1/sessions', { params: { query: { limit: 50, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

/** The tenant's conversations the caller may read, newest first, page by page. */
export function useSessions() {
  return useInfiniteQuery(sessionsQuery());
}
