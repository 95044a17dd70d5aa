import { QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { RouterProvider } from 'react-router';
import { makeQueryClient } from '@/lib/query-client';
import { useSession } from '@/lib/session-store';
import { router } from './router';

export function App() {
  const [queryClient] = useState(makeQueryClient);
  // However a session ends (log-out, a refused refresh, another tab), nothing of it stays cached.
  useEffect(
    () => useSession.subscribe((state, previous) => previous.accessToken && !state.accessToken && queryClient.clear()),
    [queryClient],
  );
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
