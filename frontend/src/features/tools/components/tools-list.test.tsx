import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, test, vi } from 'vitest';
import { fakeApi, json } from '@/testing/fake-api';
import { renderWithApp } from '@/testing/render';
import { ToolsList } from './tools-list';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const orderStatus = {
  tool_id: '01JTOOL0000000000000000001',
  name: 'order_status',
  description: 'Looks up an order by its id.',
  endpoint: 'https://shop.example.com/tools/order-status',
  parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
  secret_header_name: 'X-Api-Key',
  secret_set: true,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

const weather = {
  ...orderStatus,
  tool_id: '01JTOOL0000000000000000002',
  name: 'weather',
  description: 'The weather in a city.',
  endpoint: 'https://weather.example.com/now',
  secret_header_name: null,
  secret_set: false,
};

test('the tools are listed with their endpoint and whether a secret header is set, never its value', async () => {
  fakeApi().on('GET', '/api/v1/tools', () => json({ items: [orderStatus, weather], next_cursor: null }));
  renderWithApp(<ToolsList />);

  const row = (await screen.findByText('order_status', { selector: 'strong' })).closest('tr')!;
  expect(within(row).getByText('Looks up an order by its id.')).toBeInTheDocument();
  expect(within(row).getByText('https://shop.example.com/tools/order-status')).toBeInTheDocument();
  expect(within(row).getByText('X-Api-Key')).toBeInTheDocument();
  expect(within(row).getByText('set')).toBeInTheDocument();
  expect(within(row).getByRole('link', { name: 'Edit order_status' })).toHaveAttribute(
    'href',
    `/tools/${orderStatus.tool_id}`,
  );
  const other = screen.getByText('weather', { selector: 'strong' }).closest('tr')!;
  expect(within(other).getByText('none')).toBeInTheDocument();
  expect(screen.getByRole('link', { name: 'New tool' })).toHaveAttribute('href', '/tools/new');
});

test('no tools yet says so', async () => {
  fakeApi().on('GET', '/api/v1/tools', () => json({ items: [], next_cursor: null }));
  renderWithApp(<ToolsList />);
  expect(await screen.findByText('No tools yet')).toBeInTheDocument();
});

test('deleting asks first, then sends DELETE and the list is asked again', async () => {
  let items = [orderStatus, weather];
  const api = fakeApi()
    .on('GET', '/api/v1/tools', () => json({ items, next_cursor: null }))
    .on('DELETE', `/api/v1/tools/${weather.tool_id}`, () => {
      items = [orderStatus];
      return json(null, 204);
    });
  const confirm = vi.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValueOnce(true);
  renderWithApp(<ToolsList />);

  const remove = await screen.findByRole('button', { name: 'Delete weather' });
  await userEvent.click(remove);
  expect(api.requests.some((r) => r.method === 'DELETE')).toBe(false);
  await userEvent.click(remove);

  await waitFor(() => expect(screen.queryByText('weather', { selector: 'strong' })).not.toBeInTheDocument());
  expect(confirm).toHaveBeenLastCalledWith(expect.stringContaining('Delete the tool “weather”?'));
  expect(api.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([
    `/api/v1/tools/${weather.tool_id}`,
  ]);
});
