import { EmptyState, ErrorAlert, Loading } from '@/components/ui';
import { useTenant } from '@/lib/tenant';
import { useUsage } from '../api/get-usage';
import { PlanSummary } from './plan-summary';
import { QuotaMeters } from './quota-meters';
import { UsageCharts } from './usage-charts';
import '../usage.css';

/** The tenant's plan, its standing against every quota, and the daily series. */
export function UsageOverview() {
  const tenant = useTenant();
  const usage = useUsage();
  return (
    <div className="stack">
      {tenant.isPending ? (
        <Loading label="Loading plan…" />
      ) : tenant.isError ? (
        <ErrorAlert error={tenant.error} />
      ) : (
        <PlanSummary tenant={tenant.data} />
      )}
      {usage.isPending ? (
        <Loading label="Loading usage…" />
      ) : usage.isError ? (
        <ErrorAlert error={usage.error} />
      ) : usage.data.quotas.length === 0 && usage.data.daily.length === 0 ? (
        <EmptyState title="No usage yet" />
      ) : (
        <>
          <QuotaMeters quotas={usage.data.quotas} />
          <UsageCharts report={usage.data} />
        </>
      )}
    </div>
  );
}
