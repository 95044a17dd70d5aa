import { PageHeader } from '@/components/ui';
import { TenantsTable } from '@/features/platform/components/tenants-table';

export default function PlatformTenantsRoute() {
  return (
    <>
      <PageHeader title="Tenants" />
      <TenantsTable />
    </>
  );
}
