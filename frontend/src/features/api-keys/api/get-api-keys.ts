import { useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { PAGE_SIZE, pagedQuery } from '@/lib/paged-query';
import type { components } from '@/types/api';

export type ApiKeyView = components['schemas']['ApiKeyView'];
export type Scope = components['schemas']['Scope'];

export const getApiKeys = (cursor?: string) =>
  unwrap(api.GET('/api/v1/api-keys', { params: { query: { limit: PAGE_SIZE, cursor } } }));

export const apiKeysQuery = () => pagedQuery(['api-keys'], getApiKeys);

/** The tenant's API keys (never their secrets), a page at a time. */
export const useApiKeys = () => useInfiniteQuery(apiKeysQuery());
