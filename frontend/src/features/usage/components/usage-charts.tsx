import { BarChart } from '@/components/bar-chart';
import type { UsageReport } from '../api/get-usage';

/** Tokens and sessions per day; only the sessions quota is a daily limit, so only it gets a line. */
export function UsageCharts({ report }: { report: UsageReport }) {
  const limitOf = (name: string) => report.quotas.find((q) => q.quota === name)?.limit;
  const monthlyTokens = limitOf('tokens_month');
  return (
    <section className="usage-charts stack" aria-label="Daily usage">
      <BarChart
        title="Tokens per day"
        unit="tokens"
        points={report.daily.map((d) => ({ label: d.date, value: d.tokens }))}
      />
      {monthlyTokens !== undefined && (
        <p className="muted">
          Monthly token limit: {monthlyTokens.toLocaleString()} tokens (shared by the whole month, so not drawn as a
          daily line).
        </p>
      )}
      <BarChart
        title="Sessions per day"
        unit="sessions"
        limit={limitOf('sessions_day')}
        points={report.daily.map((d) => ({ label: d.date, value: d.sessions }))}
      />
    </section>
  );
}
