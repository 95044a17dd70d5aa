import { EmptyState, ErrorAlert, Loading } from '@/components/ui';
import { useTenants } from '../api/get-tenants';
import { TenantRow } from './tenant-row';
import '../platform.css';

/** Every tenant, oldest first, each with its plan, quotas, status and deletion behind "Manage". */
export function TenantsTable() {
  const tenants = useTenants();
  if (tenants.isPending) return <Loading label="Loading tenants…" />;
  if (tenants.isLoadingError) return <ErrorAlert error={tenants.error} />;
  const items = tenants.data.pages.flatMap((page) => page.items);
  if (items.length === 0) return <EmptyState title="No tenants yet" />;

  return (
    <div className="stack">
      <div className="table-wrap">
        <table>
          <caption className="sr-only">Tenants, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Slug</th>
              <th scope="col">Plan</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((tenant) => (
              <TenantRow key={tenant.tenant_id} tenant={tenant} />
            ))}
          </tbody>
        </table>
      </div>
      {tenants.isFetchNextPageError && <ErrorAlert error={tenants.error} />}
      {tenants.hasNextPage && (
        <button type="button" className="secondary" disabled={tenants.isFetchingNextPage} onClick={() => tenants.fetchNextPage()}>
          {tenants.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}
