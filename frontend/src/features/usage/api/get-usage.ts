import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/types/api';

export type UsageReport = components['schemas']['UsageReport'];
export type QuotaUsage = components['schemas']['QuotaUsage'];
export type DailyUsage = components['schemas']['DailyUsage'];

export const getUsage = () => unwrap(api.GET('/api/v1/tenant/usage'));

export const usageQuery = () => queryOptions({ queryKey: ['tenant', 'usage'], queryFn: getUsage });

/** Usage against every quota, and the last 30 days day by day. */
export const useUsage = () => useQuery(usageQuery());
