import { capitalize, quotaLabel } from '@/lib/labels';
import { formatDateTime } from '@/lib/problem';
import type { QuotaUsage } from '../api/get-usage';

const percent = (used: number, limit: number) => (limit > 0 ? Math.round((used / limit) * 100) : 0);

function QuotaMeter({ quota }: { quota: QuotaUsage }) {
  const label = capitalize(quotaLabel(quota.quota));
  const pct = percent(quota.used, quota.limit);
  return (
    <li className="panel stack" aria-label={label}>
      <div className="row">
        <strong>{label}</strong>
        <span className="spacer" />
        <span>
          {quota.used.toLocaleString()} / {quota.limit.toLocaleString()} <span className="muted">({pct}%)</span>
        </span>
      </div>
      <div
        className="meter"
        role="meter"
        aria-label={`${label} used`}
        aria-valuemin={0}
        aria-valuemax={quota.limit}
        aria-valuenow={Math.min(quota.used, quota.limit)}
        aria-valuetext={`${quota.used} of ${quota.limit}`}
      >
        {/* Capped at 100% so an over-limit count does not overflow the track. */}
        <span style={{ width: `${Math.min(pct, 100)}%` }} />
      </div>
      {quota.reserved ? (
        <small className="muted">{quota.reserved.toLocaleString()} more held by answers still streaming</small>
      ) : null}
      {quota.overage ? (
        <small className="over-limit">
          {quota.overage.toLocaleString()} over the limit (providers reported more than was reserved)
        </small>
      ) : null}
      {quota.reset_at && <small className="muted">Resets {formatDateTime(quota.reset_at)}</small>}
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
