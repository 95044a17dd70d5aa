import { useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { PAGE_SIZE, pagedQuery } from '@/lib/paged-query';
import type { components } from '@/types/api';

export type Session = components['schemas']['Session'];

/** Every session query starts with this key; the list's own key is `sessionsListKey`. */
export const sessionsKey = ['sessions'] as const;
export const sessionsListKey = [...sessionsKey, 'list'] as const;

export const getSessions = (cursor?: string) =>
  unwrap(api.GET('/api/v1/sessions', { params: { query: { limit: PAGE_SIZE, cursor } } }));

export const sessionsQuery = () => pagedQuery(sessionsListKey, getSessions);

/** The tenant's conversations the caller may read, newest first, page by page. */
export function useSessions() {
  return useInfiniteQuery(sessionsQuery());
}
