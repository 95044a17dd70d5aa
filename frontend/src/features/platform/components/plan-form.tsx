import { type FormEvent, useState } from 'react';
import { ErrorAlert, SelectField } from '@/components/ui';
import { PLANS } from '@/lib/labels';
import type { Plan, PlatformTenant } from '../api/get-tenants';
import { useUpdateTenant } from '../api/update-tenant';

/** A plan change takes a click on "Save", so browsing the options changes nothing. */
export function PlanForm({ tenant }: { tenant: PlatformTenant }) {
  const [plan, setPlan] = useState<Plan>(tenant.plan);
  const update = useUpdateTenant();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate({ tenantId: tenant.tenant_id, plan });
  };
  return (
    <form onSubmit={submit} className="stack" aria-label={`Plan of ${tenant.name}`}>
      <ErrorAlert error={update.error} />
      <SelectField label="Plan" value={plan} onChange={(e) => setPlan(e.target.value as Plan)}>
        {PLANS.map((p) => (
          <option key={p.value} value={p.value}>
            {p.label}
          </option>
        ))}
      </SelectField>
      <div className="row">
        <button type="submit" disabled={update.isPending || plan === tenant.plan}>
          {update.isPending ? 'Saving…' : 'Save plan'}
        </button>
      </div>
    </form>
  );
}
