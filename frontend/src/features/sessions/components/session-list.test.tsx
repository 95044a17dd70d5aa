import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, test, vi } from 'vitest';
import { fakeApi, json } from '@/testing/fake-api';
import { renderWithApp } from '@/testing/render';
import { SessionList } from './session-list';

afterEach(() => vi.unstubAllGlobals());

const session = (id: string, title: string) => ({
  session_id: id,
  title,
  owner: { kind: 'user', id: 'U1' },
  message_count: 2,
  created_at: '2026-11-20T10:00:00Z',
  updated_at: '2026-11-20T10:05:00Z',
});

function serverWith(titles: Record<string, string>) {
  const sessions = new Map(Object.entries(titles));
  const list = () => json({ items: [...sessions].map(([id, title]) => session(id, title)), next_cursor: null });
  return fakeApi()
    .on('GET', '/api/v1/sessions', list)
    .on('PATCH', /^\/api\/v1\/sessions\/\w+$/, (request, body) => {
      const id = new URL(request.url).pathname.split('/').pop()!;
      sessions.set(id, (body as { title: string }).title);
      return json(session(id, sessions.get(id)!));
    })
    .on('DELETE', /^\/api\/v1\/sessions\/\w+$/, (request) => {
      sessions.delete(new URL(request.url).pathname.split('/').pop()!);
      return json(null, 204);
    });
}

test('search narrows the list by title as you type', async () => {
  serverWith({ S1: 'Quarterly report draft', S2: 'Holiday plans', S3: 'Report on churn' });
  renderWithApp(<SessionList linkTo={(id) => `/history/${id}`} canEdit />);

  await screen.findByText('Holiday plans');
  await userEvent.type(screen.getByLabelText('Search conversations'), 'report');

  const links = screen.getAllByRole('link').map((link) => link.textContent);
  expect(links).toEqual([
    expect.stringContaining('Quarterly report draft'),
    expect.stringContaining('Report on churn'),
  ]);
  await userEvent.type(screen.getByLabelText('Search conversations'), ' nothing like this');
  expect(screen.getByText('No conversation matches')).toBeInTheDocument();
});

test('rename and delete change the list the server keeps', async () => {
  const api = serverWith({ S1: 'Untitled chat', S2: 'Keep me' });
  const deleted = vi.fn();
  vi.spyOn(window, 'confirm').mockReturnValue(true);
  renderWithApp(<SessionList linkTo={(id) => `/chat/${id}`} canEdit onDeleted={deleted} />);

  await userEvent.click(await screen.findByRole('button', { name: 'Rename Untitled chat' }));
  const title = screen.getByLabelText('New title');
  await userEvent.clear(title);
  await userEvent.type(title, 'Launch checklist{Enter}');
  expect(await screen.findByText('Launch checklist')).toBeInTheDocument();
  expect(api.requests.find((r) => r.method === 'PATCH')?.body).toEqual({ title: 'Launch checklist' });

  await userEvent.click(screen.getByRole('button', { name: 'Delete Launch checklist' }));
  await waitFor(() => expect(screen.queryByText('Launch checklist')).not.toBeInTheDocument());
  expect(deleted).toHaveBeenCalledWith('S1');
  expect(within(screen.getByRole('list')).getByText('Keep me')).toBeInTheDocument();
});

test('without sessions_write there is nothing to rename or delete', async () => {
  serverWith({ S1: 'Read only' });
  renderWithApp(<SessionList linkTo={(id) => `/history/${id}`} canEdit={false} />);
  await screen.findByText('Read only');
  expect(screen.queryByRole('button', { name: /Rename|Delete/ })).not.toBeInTheDocument();
});

test('each conversation says how many messages it holds, singular or plural, and when it last changed', async () => {
  vi.useFakeTimers({ now: new Date('2026-11-20T12:05:00Z'), shouldAdvanceTime: true });
  fakeApi().on('GET', '/api/v1/sessions', () =>
    json({
      items: [session('S1', 'Two messages'), { ...session('S2', 'Just asked'), message_count: 1 }],
      next_cursor: null,
    }),
  );
  renderWithApp(<SessionList linkTo={(id) => `/history/${id}`} canEdit={false} />);

  const two = (await screen.findByText('Two messages')).closest('a')!;
  expect(two).toHaveTextContent('2 messages · 2 hours ago');
  expect(within(two).getByText('2 hours ago')).toHaveAttribute('dateTime', '2026-11-20T10:05:00Z');
  expect(screen.getByText('Just asked').closest('a')).toHaveTextContent('1 message ·');
  vi.useRealTimers();
});
