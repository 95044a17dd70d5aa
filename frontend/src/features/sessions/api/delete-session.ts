import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { sessionsKey, sessionsListKey } from './get-sessions';

export const deleteSession = (sessionId: string) =>
  unwrap(api.DELETE('/api/v1/sessions/{session_id}', { params: { path: { session_id: sessionId } } }));

export function useDeleteSession() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: deleteSession,
    onSuccess: (_, sessionId) => {
      client.removeQueries({ queryKey: [...sessionsKey, sessionId] });
      return client.invalidateQueries({ queryKey: sessionsListKey });
    },
  });
}
