import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/types/api';

export type PlatformTenant = components['schemas']['TenantView'];
export type Plan = components['schemas']['Plan'];
export type QuotaOverrides = components['schemas']['QuotaOverrides'];

const PAGE_SIZE = 50;

export const getTenants = (cursor?: string) => unwrap(api.GET('/api/platform/tenants', { params: { query: { limit: PAGE_SIZE, cursor } } }));

export const tenantsQuery = () =>
  infiniteQueryOptions({
    queryKey: ['platform', 'tenants'],
    queryFn: ({ pageParam }) => getTenants(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

/** Every tenant on the platform, oldest first, a page at a time. */
export const useTenants = () => useInfiniteQuery(tenantsQuery());
