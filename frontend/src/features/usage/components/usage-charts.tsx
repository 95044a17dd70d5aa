import { BarChart } from '@/components/bar-chart';
import { formatCount, formatNumber } from '@/lib/format';
import type { UsageReport } from '../api/get-usage';

/**
 * Tokens and sessions per day for the last 30 days. Only the sessions quota is
 * a daily limit, so only it is a line; the monthly token limit is the tokens' context.
 */
export function UsageCharts({ report }: { report: UsageReport }) {
  const quota = (name: string) => report.quotas.find((q) => q.quota === name);
  const tokens = quota('tokens_month');
  const sessions = quota('sessions_day');
  return (
    <section className="usage-charts stack" aria-label="Daily usage">
      <BarChart
        title="Tokens per day"
        unit={['token', 'tokens']}
        days={report.daily.map((d) => ({ date: d.date, value: d.tokens }))}
      >
        {tokens && (
          <p className="muted">
            Monthly limit: {formatCount(tokens.limit, 'token')}, of which {formatNumber(tokens.used)} are used this
            month. It is shared by the whole month, so it is not drawn as a line per day.
          </p>
        )}
      </BarChart>
      <BarChart
        title="Sessions per day"
        unit={['session', 'sessions']}
        limit={sessions && { value: sessions.limit, label: 'Daily limit' }}
        days={report.daily.map((d) => ({ date: d.date, value: d.sessions }))}
      />
    </section>
  );
}
