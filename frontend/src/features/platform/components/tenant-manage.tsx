import type { PlatformTenant } from '../api/get-tenants';
import { DeleteTenant } from './delete-tenant';
import { PlanForm } from './plan-form';
import { QuotaOverridesForm } from './quota-overrides-form';
import { TenantStatusButton } from './tenant-status-button';

/** Everything an operator can change about one tenant. */
export function TenantManage({ tenant, id }: { tenant: PlatformTenant; id: string }) {
  return (
    <div id={id} className="tenant-manage" role="group" aria-label={`Manage ${tenant.name}`}>
      <section>
        <h3>Plan</h3>
        <PlanForm tenant={tenant} />
      </section>
      <section>
        <h3>Quota overrides</h3>
        <QuotaOverridesForm tenant={tenant} />
      </section>
      <section>
        <h3>Status</h3>
        <TenantStatusButton tenant={tenant} />
        <h3>Delete</h3>
        <DeleteTenant tenant={tenant} />
      </section>
    </div>
  );
}
