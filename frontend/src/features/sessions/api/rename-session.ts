import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { sessionQuery } from './get-session';
import { sessionsListKey } from './get-sessions';

export const renameSession = ({ sessionId, title }: { sessionId: string; title: string }) =>
  unwrap(api.PATCH('/api/v1/sessions/{session_id}', { params: { path: { session_id: sessionId } }, body: { title } }));

export function useRenameSession() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: renameSession,
    onSuccess: (session) => {
      client.setQueryData(sessionQuery(session.session_id).queryKey, session);
      return client.invalidateQueries({ queryKey: sessionsListKey });
    },
  });
}
