import { screen, within } from '@testing-library/react';
import { afterEach, expect, test, vi } from 'vitest';
import { formatDateTime } from '@/lib/problem';
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
  quotas: { max_users: 50, max_agents: 50, sessions_per_day: 5000, tokens_per_month: 10000000, concurrent_turns: 50 },
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

test('each quota shows used of limit, its percentage and when it resets', async () => {
  fakeApi()
    .on('GET', '/api/v1/tenant', () => json(tenant))
    .on('GET', '/api/v1/tenant/usage', () => json(report));
  renderWithApp(<UsageOverview />);

  const tokens = await screen.findByRole('listitem', { name: 'LLM tokens this month' });
  expect(tokens).toHaveTextContent(`${(1234).toLocaleString()} / ${(100000).toLocaleString()}`);
  expect(tokens).toHaveTextContent('(1%)');
  expect(tokens).toHaveTextContent(`Resets ${formatDateTime('2026-12-01T00:00:00Z')}`);
  const sessions = screen.getByRole('listitem', { name: 'Sessions today' });
  expect(sessions).toHaveTextContent('5 / 100');
  expect(sessions).toHaveTextContent(`Resets ${formatDateTime('2026-11-26T00:00:00Z')}`);
  const users = screen.getByRole('listitem', { name: 'Users' });
  expect(users).toHaveTextContent('2 / 5');
  expect(users).not.toHaveTextContent('Resets');
  expect(screen.getByRole('listitem', { name: 'Agents' })).toHaveTextContent('3 / 3 (100%)');
  expect(within(users).getByRole('meter')).toHaveAttribute('aria-valuenow', '2');
  const turns = screen.getByRole('listitem', { name: 'Chat turns streaming at once' });
  expect(turns).toHaveTextContent('2 / 50');
  expect(turns).not.toHaveTextContent('Resets');

  expect(await screen.findByText('Pro')).toBeInTheDocument();
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
  expect(tokens).toHaveTextContent(`${(4096).toLocaleString()} more held by answers still streaming`);
  expect(tokens).toHaveTextContent('500 over the limit');
  expect(within(tokens).getByRole('meter')).toHaveAttribute('aria-valuenow', '100000');
});

test('the charts draw one bar per day, with the daily session limit as the only limit line', async () => {
  fakeApi()
    .on('GET', '/api/v1/tenant', () => json(tenant))
    .on('GET', '/api/v1/tenant/usage', () => json(report));
  renderWithApp(<UsageOverview />);

  const tokenChart = (await screen.findByRole('img', { name: /^Tokens per day/ })).closest('figure')!;
  const sessionChart = screen.getByRole('img', { name: /^Sessions per day/ }).closest('figure')!;
  expect(tokenChart.querySelectorAll('rect.bar')).toHaveLength(daily.length);
  expect(sessionChart.querySelectorAll('rect.bar')).toHaveLength(daily.length);
  expect(tokenChart.querySelector('.limit-line')).toBeNull();
  expect(sessionChart.querySelector('.limit-line title')).toHaveTextContent('limit 100');
  expect(screen.getByText(/Monthly token limit/)).toBeInTheDocument();
});
