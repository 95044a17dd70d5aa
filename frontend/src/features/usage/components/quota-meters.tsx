import { formatCount, formatDuration, formatMoment, formatNumber } from '@/lib/format';
import { capitalize, QUOTA_UNITS, quotaLabel } from '@/lib/labels';
import type { QuotaUsage } from '../api/get-usage';

const percent = (used: number, limit: number) => (limit > 0 ? Math.round((used / limit) * 100) : 0);

/** What frees a quota that does not reset with time. */
const FREED_BY: Record<string, string> = {
  users: 'Does not reset: deleting a user frees a place.',
  agents: 'Does not reset: deleting an agent frees a place.',
  tools: 'Does not reset: deleting a tool frees a place.',
  api_keys: 'Does not reset: revoking a key frees a place.',
  concurrent_turns: 'Frees as soon as an answer in progress finishes.',
};

function resetNote(quota: QuotaUsage): string {
  if (!quota.reset_at) return FREED_BY[quota.quota] ?? '';
  const wait = (new Date(quota.reset_at).getTime() - Date.now()) / 1000;
  return `Resets in ${formatDuration(wait)} (${formatMoment(quota.reset_at)}).`;
}

/** Every card has the same four parts, in the same places: name, figure, meter, note. */
function QuotaMeter({ quota }: { quota: QuotaUsage }) {
  const label = capitalize(quotaLabel(quota.quota));
  const [one, many] = QUOTA_UNITS[quota.quota as keyof typeof QUOTA_UNITS] ?? ['', ''];
  const pct = percent(quota.used, quota.limit);
  const ofLimit = `${formatNumber(quota.used)} of ${formatCount(quota.limit, one, many)}`;
  return (
    <li className="panel quota-card" aria-label={label}>
      <strong className="quota-name">{label}</strong>
      <p className="quota-figure">
        {ofLimit} <span className="muted">({pct}%)</span>
      </p>
      <div
        className="meter"
        role="meter"
        aria-label={`${label} used`}
        aria-valuemin={0}
        aria-valuemax={quota.limit}
        aria-valuenow={Math.min(quota.used, quota.limit)}
        aria-valuetext={ofLimit}
      >
        {/* Capped at 100% so an over-limit count does not overflow the track. */}
        <span style={{ width: `${Math.min(pct, 100)}%` }} />
      </div>
      <div className="quota-notes">
        <small className="muted">{resetNote(quota)}</small>
        {quota.reserved ? (
          <small className="muted">{formatNumber(quota.reserved)} more held by answers still streaming.</small>
        ) : null}
        {quota.overage ? (
          <small className="over-limit">
            {formatNumber(quota.overage)} over the limit (providers reported more than was reserved).
          </small>
        ) : null}
      </div>
    </li>
  );
}

/** One meter per quota: how much is used, of what limit, and when it starts again. */
export function QuotaMeters({ quotas }: { quotas: QuotaUsage[] }) {
  return (
    <ul className="usage-meters" aria-label="Quotas">
      {quotas.map((quota) => (
        <QuotaMeter key={quota.quota} quota={quota} />
      ))}
    </ul>
  );
}
