// A session's messages with the agent's steps beside the answer they led to,
// oldest first, as a transcript reads.
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { Page } from '@/lib/paged-query';
import type { components } from '@/types/api';
import { sessionsKey } from './get-sessions';

type Message = components['schemas']['Message'];
type LogEntry = components['schemas']['LogEntry'];
export type TranscriptEntry = Message & { steps: LogEntry[] };

/** Every page of a list (a page holds at most 100; sessions are rarely longer). */
async function all<T>(fetchPage: (cursor?: string) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return items;
}

export async function getTranscript(sessionId: string): Promise<TranscriptEntry[]> {
  const path = { session_id: sessionId };
  const [messages, log] = await Promise.all([
    all((cursor) =>
      unwrap(api.GET('/api/v1/sessions/{session_id}/messages', { params: { path, query: { limit: 100, cursor } } })),
    ),
    all((cursor) =>
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
