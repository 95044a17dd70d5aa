import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/types/api';

export type ApiKeyView = components['schemas']['ApiKeyView'];
export type Scope = components['schemas']['Scope'];

const PAGE_SIZE = 50;

export const getApiKeys = (cursor?: string) => unwrap(api.GET('/api/v1/api-keys', { params: { query: { limit: PAGE_SIZE, cursor } } }));

export const apiKeysQuery = () =>
  infiniteQueryOptions({
    queryKey: ['api-keys'],
    queryFn: ({ pageParam }) => getApiKeys(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

/** The tenant's API keys (never their secrets), a page at a time. */
export const useApiKeys = () => useInfiniteQuery(apiKeysQuery());
