import { planLabel, tenantStatusLabel } from '@/lib/labels';
import type { TenantView } from '@/lib/tenant';

/** The tenant's plan and status, which set the limits below. */
export function PlanSummary({ tenant }: { tenant: TenantView }) {
  return (
    <section className="panel row" aria-label="Plan">
      <span>
        <strong>{tenant.name}</strong> <span className="muted">({tenant.slug})</span>
      </span>
      <span>
        Plan: <span className="badge">{planLabel(tenant.plan)}</span>
      </span>
      {tenant.status !== 'active' && <span className="badge">{tenantStatusLabel(tenant.status)}</span>}
    </section>
  );
}
