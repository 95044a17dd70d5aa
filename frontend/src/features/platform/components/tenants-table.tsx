import { PagedTable } from '@/components/paged-table';
import { EmptyState } from '@/components/ui';
import { useTenants } from '../api/get-tenants';
import { TenantRow } from './tenant-row';
import '../platform.css';

/** Every tenant, oldest first, each with its plan, quotas, status and deletion behind "Manage". */
export function TenantsTable() {
  return (
    <PagedTable
      query={useTenants()}
      caption="Tenants, oldest first"
      columns={['Name', 'Slug', 'Plan', 'Status', 'Created', 'Actions']}
      empty={<EmptyState title="No tenants yet" />}
      loadingLabel="Loading tenants…"
      row={(tenant) => <TenantRow key={tenant.tenant_id} tenant={tenant} />}
    />
  );
}
