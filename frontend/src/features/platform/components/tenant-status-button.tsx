import { ConfirmButton, ErrorAlert } from '@/components/ui';
import type { PlatformTenant } from '../api/get-tenants';
import { useUpdateTenant } from '../api/update-tenant';

/** Suspending blocks every user and key of the tenant at once, so it asks first; reactivating does not. */
export function TenantStatusButton({ tenant }: { tenant: PlatformTenant }) {
  const update = useUpdateTenant();
  const setStatus = (status: PlatformTenant['status']) => update.mutate({ tenantId: tenant.tenant_id, status });
  return (
    <div className="stack">
      <ErrorAlert error={update.error} />
      <div className="row">
        {tenant.status === 'suspended' ? (
          <button type="button" disabled={update.isPending} onClick={() => setStatus('active')}>
            Reactivate
          </button>
        ) : (
          <ConfirmButton
            disabled={update.isPending}
            question={`Suspend ${tenant.name}? Every user and API key of it is blocked until it is reactivated.`}
            onConfirm={() => setStatus('suspended')}
          >
            Suspend
          </ConfirmButton>
        )}
      </div>
    </div>
  );
}
