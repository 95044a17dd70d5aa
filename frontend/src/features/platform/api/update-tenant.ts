import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/types/api';
import { tenantsQuery } from './get-tenants';

export type UpdateTenantPlan = components['schemas']['UpdateTenantPlan'];

export const updateTenant = ({ tenantId, ...body }: UpdateTenantPlan & { tenantId: string }) =>
  unwrap(api.PATCH('/api/platform/tenants/{tenant_id}', { params: { path: { tenant_id: tenantId } }, body }));

/** Changes a tenant's plan, quota overrides (replacing them all) or status. */
export function useUpdateTenant() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: updateTenant,
    onSuccess: () => client.invalidateQueries({ queryKey: tenantsQuery().queryKey }),
  });
}
