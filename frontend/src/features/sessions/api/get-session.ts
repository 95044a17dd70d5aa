import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { sessionsKey } from './get-sessions';

export const sessionQuery = (sessionId: string) =>
  queryOptions({
    queryKey: [...sessionsKey, sessionId],
    queryFn: () => unwrap(api.GET('/api/v1/sessions/{session_id}', { params: { path: { session_id: sessionId } } })),
  });

export const useSessionDetail = (sessionId: string | undefined) =>
  useQuery({ ...sessionQuery(sessionId ?? ''), enabled: !!sessionId });
