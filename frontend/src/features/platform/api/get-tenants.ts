import { useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { PAGE_SIZE, pagedQuery } from '@/lib/paged-query';
import type { components } from '@/types/api';

export type PlatformTenant = components['schemas']['TenantView'];
export type Plan = components['schemas']['Plan'];
export type QuotaOverrides = components['schemas']['QuotaOverrides'];

export const getTenants = (cursor?: string) =>
  unwrap(api.GET('/api/platform/tenants', { params: { query: { limit: PAGE_SIZE, cursor } } }));

export const tenantsQuery = () => pagedQuery(['platform', 'tenants'], getTenants);

/** Every tenant on the platform, oldest first, a page at a time. */
export const useTenants = () => useInfiniteQuery(tenantsQuery());
