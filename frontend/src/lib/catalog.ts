// What every tenant has before defining anything (built-in agents and
// tools), the providers with their presets, and the limits forms follow: the
// server's lists, never copies of them.
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/types/api';

export type Catalog = components['schemas']['Catalog'];
export type ProviderPreset = components['schemas']['ProviderPreset'];

export const catalogQuery = () =>
  queryOptions({
    queryKey: ['catalog'],
    queryFn: () => unwrap(api.GET('/api/v1/catalog')),
    // It changes only with a new server version.
    staleTime: Number.POSITIVE_INFINITY,
  });

export const useCatalog = () => useQuery(catalogQuery());
