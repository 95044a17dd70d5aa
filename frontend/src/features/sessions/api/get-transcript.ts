// A session's messages with the agent's steps beside the answer they led to,
// oldest first, as a transcript reads.
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { allPages } from '@/lib/paged-query';
import type { components } from '@/types/api';
import { sessionsKey } from './get-sessions';

type Message = components['schemas']['Message'];
type LogEntry = components['schemas']['LogEntry'];
export type TranscriptEntry = Message & { steps: LogEntry[] };

export async function getTranscript(sessionId: string): Promise<TranscriptEntry[]> {
  const path = { session_id: sessionId };
  const [messages, log] = await Promise.all([
    allPages((cursor) =>
      unwrap(api.GET('/api/v1/sessions/{session_id}/messages', { params: { path, query: { limit: 100, cursor } } })),
    ),
    allPages((cursor) =>
      unwrap(api.GET('/api/v1/sessions/{session_id}/log', { params: { path, query: { limit: 100, cursor } } })),
    ),
  ]);
  return messages
    .reverse()
    .map((message) => ({ ...message, steps: log.filter((entry) => entry.message_id === message.message_id) }));
}

export const transcriptQuery = (sessionId: string) =>
  queryOptions({ queryKey: [...sessionsKey, sessionId, 'transcript'], queryFn: () => getTranscript(sessionId) });

export const useTranscript = (sessionId: string | undefined) =>
  useQuery({ ...transcriptQuery(sessionId ?? ''), enabled: !!sessionId });
