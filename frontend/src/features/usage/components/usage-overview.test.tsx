import { screen, within } from '@testing-library/react';
import { afterEach, expect, test, vi } from 'vitest';
import { formatCompact, formatDateTime, formatDay, formatDayLong, formatNumber } from '@/lib/format';
import { fakeApi, json } from '@/testing/fake-api';
import { renderWithApp } from '@/testing/render';
import { UsageOverview } from './usage-overview';

afterEach(() => vi.unstubAllGlobals());

const tenant = {
  tenant_id: 'T1',
  name: 'Acme',
  slug: 'acme',
  plan: 'pro',
  status: 'active',
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  quotas: {
    max_users: 50,
    max_agents: 50,
    max_tools: 100,
    max_api_keys: 100,
    sessions_per_day: 5000,
    tokens_per_month: 10000000,
    concurrent_turns: 50,
  },
};
const daily = [
  { date: '2026-11-23', tokens: 100, sessions: 1 },
  { date: '2026-11-24', tokens: 0, sessions: 0 },
  { date: '2026-11-25', tokens: 1134, sessions: 4 },
];
const report = {
  quotas: [
    { quota: 'tokens_month', used: 1234, limit: 100000, reset_at: '2026-12-01T00:00:00Z' },
    { quota: 'sessions_day', used: 5, limit: 100, reset_at: '2026-11-26T00:00:00Z' },
    { quota: 'users', used: 2, limit: 5 },
    { quota: 'agents', used: 3, limit: 3 },
    { quota: 'concurrent_turns', used: 2, limit: 50 },
  ],
  daily,
};

test('each quota card has the same parts: used of limit with its unit, percentage, meter and a note', async () => {
  vi.useFakeTimers({ now: new Date('2026-11-25T12:00:00Z'), shouldAdvanceTime: true });
  fakeApi()
    .on('GET', '/api/v1/tenant', () => json(tenant))
    .on('GET', '/api/v1/tenant/usage', () => json(report));
  renderWithApp(<UsageOverview />);

  const tokens = await screen.findByRole('listitem', { name: 'LLM tokens this month' });
  expect(tokens).toHaveTextContent(`${formatNumber(1234)} of ${formatNumber(100000)} tokens (1%)`);
  expect(tokens).toHaveTextContent(`Resets in 5 days 12 h (${formatDateTime('2026-12-01T00:00:00Z')}).`);
  const sessions = screen.getByRole('listitem', { name: 'Sessions today' });
  expect(sessions).toHaveTextContent('5 of 100 sessions (5%)');
  expect(sessions).toHaveTextContent('Resets in 12 h');
  const users = screen.getByRole('listitem', { name: 'Users' });
  expect(users).toHaveTextContent('2 of 5 users');
  expect(users).toHaveTextContent('Does not reset');
  expect(screen.getByRole('listitem', { name: 'Agents' })).toHaveTextContent('3 of 3 agents (100%)');
  expect(within(users).getByRole('meter')).toHaveAttribute('aria-valuenow', '2');
  expect(within(users).getByRole('meter')).toHaveAttribute('aria-valuetext', '2 of 5 users');
  const turns = screen.getByRole('listitem', { name: 'Chat turns streaming at once' });
  expect(turns).toHaveTextContent('2 of 50 turns');
  expect(turns).toHaveTextContent('Frees as soon as an answer in progress finishes.');
  // Every card is built the same way, whether its quota resets or not.
  for (const card of screen.getAllByRole('listitem')) {
    expect([...card.children].map((part) => part.className)).toEqual([
      'quota-name',
      'quota-figure',
      'meter',
      'quota-notes',
    ]);
  }

  expect(await screen.findByText('Pro')).toBeInTheDocument();
  vi.useRealTimers();
});

test('one of a kind is singular: "1 session", "1 user"', async () => {
  const single = {
    quotas: [
      { quota: 'sessions_day', used: 0, limit: 1, reset_at: '2026-11-26T00:00:00Z' },
      { quota: 'users', used: 1, limit: 1 },
    ],
    daily: [{ date: '2026-11-25', tokens: 1, sessions: 1 }],
  };
  fakeApi()
    .on('GET', '/api/v1/tenant', () => json(tenant))
    .on('GET', '/api/v1/tenant/usage', () => json(single));
  renderWithApp(<UsageOverview />);

  expect(await screen.findByRole('listitem', { name: 'Sessions today' })).toHaveTextContent('0 of 1 session (0%)');
  expect(screen.getByRole('listitem', { name: 'Users' })).toHaveTextContent('1 of 1 user (100%)');
  const caption = (name: RegExp) => screen.getByRole('img', { name }).closest('figure')!.querySelector('figcaption');
  expect(caption(/^Sessions per day/)).toHaveTextContent('Sessions per day (1 session in 1 day)');
  expect(caption(/^Tokens per day/)).toHaveTextContent('Tokens per day (1 token in 1 day)');
});

test('tokens held by streaming answers and usage over the limit are spelled out', async () => {
  const over = {
    ...report,
    quotas: [
      {
        quota: 'tokens_month',
        used: 100500,
        limit: 100000,
        reserved: 4096,
        overage: 500,
        reset_at: '2026-12-01T00:00:00Z',
      },
    ],
  };
  fakeApi()
    .on('GET', '/api/v1/tenant', () => json(tenant))
    .on('GET', '/api/v1/tenant/usage', () => json(over));
  renderWithApp(<UsageOverview />);

  const tokens = await screen.findByRole('listitem', { name: 'LLM tokens this month' });
  expect(tokens).toHaveTextContent(`${formatNumber(4096)} more held by answers still streaming.`);
  expect(tokens).toHaveTextContent('500 over the limit');
  expect(within(tokens).getByRole('meter')).toHaveAttribute('aria-valuenow', '100000');
});

test('the charts have dates along the bottom, values up the side, the daily session limit, and a table', async () => {
  fakeApi()
    .on('GET', '/api/v1/tenant', () => json(tenant))
    .on('GET', '/api/v1/tenant/usage', () => json(report));
  renderWithApp(<UsageOverview />);

  const tokenChart = (await screen.findByRole('img', { name: /^Tokens per day/ })).closest('figure')!;
  const sessionChart = screen.getByRole('img', { name: /^Sessions per day/ }).closest('figure')!;
  expect(tokenChart.querySelectorAll('rect.bar')).toHaveLength(daily.length);
  expect(sessionChart.querySelectorAll('rect.bar')).toHaveLength(daily.length);
  // A day without use has no bar; a day with little use still shows one.
  expect(sessionChart.querySelectorAll('rect.bar')[1]).toHaveAttribute('height', '0');
  expect(Number(sessionChart.querySelectorAll('rect.bar')[0]!.getAttribute('height'))).toBeGreaterThanOrEqual(2);

  // The x axis names the days, the y axis the values (up to the session limit, which is drawn).
  const labels = (chart: Element, selector: string) => [...chart.querySelectorAll(selector)].map((t) => t.textContent);
  // Dates and numbers in the reader's locale ("Nov 23" and "1.5K" in en-US).
  expect(labels(sessionChart, 'text.tick')).toEqual(daily.map((d) => formatDay(d.date)));
  expect(labels(sessionChart, 'g.tick text')).toEqual(['0', '50', '100']);
  expect(labels(tokenChart, 'g.tick text')).toEqual([0, 500, 1000, 1500].map(formatCompact));
  expect(sessionChart.querySelector('.limit-line title')).toHaveTextContent('Daily limit: 100 sessions');
  expect(sessionChart.querySelector('.limit-label')).toHaveTextContent('Daily limit: 100');
  expect(tokenChart.querySelector('.limit-line')).toBeNull();
  expect(within(tokenChart as HTMLElement).getByText(/^Monthly limit:/)).toHaveTextContent(
    `Monthly limit: ${formatNumber(100000)} tokens, of which ${formatNumber(1234)} are used this month.`,
  );

  // Screen readers hear a summary, and the exact values are in a table.
  expect(screen.getByRole('img', { name: /^Sessions per day/ })).toHaveAccessibleName(
    `Sessions per day, ${formatDay('2026-11-23')} to ${formatDay('2026-11-25')}: 5 sessions in total, the most on ${formatDay('2026-11-25')} (4). Daily limit: 100 sessions.`,
  );
  const table = within(tokenChart as HTMLElement).getByRole('table', { name: 'Tokens per day' });
  const rows = within(table)
    .getAllByRole('row')
    .map((row) => row.textContent);
  expect(rows).toEqual(['DayTokens', ...daily.map((d) => `${formatDayLong(d.date)}${formatNumber(d.tokens)}`)]);
});
