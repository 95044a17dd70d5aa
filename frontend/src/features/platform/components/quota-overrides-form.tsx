import { type FormEvent, useState } from 'react';
import { ErrorAlert, TextField } from '@/components/ui';
import { formatNumber } from '@/lib/format';
import type { PlatformTenant, QuotaOverrides } from '../api/get-tenants';
import { useUpdateTenant } from '../api/update-tenant';

type Field = keyof QuotaOverrides & keyof PlatformTenant['quotas'];

const FIELDS: { key: Field; label: string }[] = [
  { key: 'max_users', label: 'Max users' },
  { key: 'max_agents', label: 'Max agents' },
  { key: 'max_tools', label: 'Max tools' },
  { key: 'max_api_keys', label: 'Max API keys' },
  { key: 'sessions_per_day', label: 'Sessions per day' },
  { key: 'tokens_per_month', label: 'Tokens per month' },
  { key: 'concurrent_turns', label: 'Concurrent chat turns' },
];

type Draft = Record<Field, string>;

const draftFrom = (overrides: QuotaOverrides | undefined): Draft =>
  Object.fromEntries(FIELDS.map(({ key }) => [key, overrides?.[key] == null ? '' : String(overrides[key])])) as Draft;

/** Empty means "follow the plan": the server replaces all overrides with what is sent, so send every field. */
function overridesFrom(draft: Draft): QuotaOverrides {
  return Object.fromEntries(
    FIELDS.map(({ key }) => [key, draft[key].trim() === '' ? null : Number(draft[key])]),
  ) as QuotaOverrides;
}

export function QuotaOverridesForm({ tenant }: { tenant: PlatformTenant }) {
  const [draft, setDraft] = useState<Draft>(() => draftFrom(tenant.quota_overrides));
  const update = useUpdateTenant();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate({ tenantId: tenant.tenant_id, quota_overrides: overridesFrom(draft) });
  };
  return (
    <form onSubmit={submit} className="stack" aria-label={`Quota overrides of ${tenant.name}`}>
      <ErrorAlert error={update.error} />
      <div className="overrides-grid">
        {FIELDS.map(({ key, label }) => (
          <TextField
            key={key}
            label={label}
            type="number"
            inputMode="numeric"
            min={0}
            step={1}
            // The effective value shows through while the field follows the plan.
            placeholder={draft[key] === '' ? `plan: ${formatNumber(tenant.quotas[key])}` : undefined}
            value={draft[key]}
            onChange={(e) => setDraft((d) => ({ ...d, [key]: e.target.value }))}
          />
        ))}
      </div>
      <small className="muted">Leave a field empty to follow the plan.</small>
      <div className="row">
        <button type="submit" disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save overrides'}
        </button>
        <button
          type="button"
          className="secondary"
          disabled={update.isPending}
          onClick={() => setDraft(draftFrom(undefined))}
        >
          Clear all
        </button>
      </div>
    </form>
  );
}
