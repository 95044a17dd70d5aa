import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { tenantsQuery } from './get-tenants';

export const deleteTenant = (tenantId: string) =>
  unwrap(api.DELETE('/api/platform/tenants/{tenant_id}', { params: { path: { tenant_id: tenantId } } }));

/** Deletes a tenant and everything it owns; there is no undo. */
export function useDeleteTenant() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: deleteTenant,
    onSuccess: () => client.invalidateQueries({ queryKey: tenantsQuery().queryKey }),
  });
}
