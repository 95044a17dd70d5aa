import { PageHeader } from '@/components/ui';
import { UsageOverview } from '@/features/usage/components/usage-overview';

export default function UsageRoute() {
  return (
    <>
      <PageHeader title="Usage" />
      <UsageOverview />
    </>
  );
}
