// Renders a component as the app would: a fresh query client, a router at
// the given path, and a signed-in session unless told otherwise.
import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { makeQueryClient } from '@/lib/query-client';
import { useSession } from '@/lib/session-store';

export function renderWithApp(
  ui: ReactNode,
  { path = '/', route = '*', signedIn = true }: { path?: string; route?: string; signedIn?: boolean } = {},
) {
  useSession.setState(
    signedIn
      ? { accessToken: 'test-access-token', expiresAt: Date.now() + 15 * 60_000 }
      : { accessToken: null, expiresAt: 0 },
  );
  const client = makeQueryClient();
  client.setDefaultOptions({ queries: { ...client.getDefaultOptions().queries, retry: false } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path={route} element={ui} />
          <Route path="*" element={<p>elsewhere</p>} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}
