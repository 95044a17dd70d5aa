import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { tenantQuery } from '@/lib/tenant';
import type { components } from '@/types/api';

export type UpdateTenant = components['schemas']['UpdateTenant'];

/** `settings` replaces every setting at once: send them all, changed or not. */
export function updateTenant(body: UpdateTenant) {
  return unwrap(api.PATCH('/api/v1/tenant', { body }));
}

export function useUpdateTenant() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: updateTenant,
    onSuccess: (tenant) => {
      client.setQueryData(tenantQuery().queryKey, tenant);
      // The top bar shows the workspace's name from `me`.
      return client.invalidateQueries({ queryKey: ['me'] });
    },
  });
}
