// The chat stream's frames (docs/api.md, "The chat stream") and how each one
// moves a turn along. The frame types are generated from the server's
// OpenAPI description. Pure, so the parser and the turn's rules are tested alone.
import type { components } from '@/types/api';

export type ChatEvent = components['schemas']['Frame'];
export type Thought = Extract<ChatEvent, { event: 'thought' }>['data'];
export type Usage = components['schemas']['TokenUsage'];
export type Outcome = components['schemas']['TurnOutcome'];

// Every event the spec names, and only those: adding or removing one there fails this file's type check.
const KNOWN: Record<ChatEvent['event'], true> = {
  session: true,
  thought: true,
  message: true,
  error: true,
  done: true,
};

/** One SSE frame's `data` (the `{event, data}` envelope) as a typed event; unknown events are skipped. */
export function parseFrame(data: string): ChatEvent | null {
  let envelope: unknown;
  try {
    envelope = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof envelope !== 'object' || envelope === null) return null;
  const { event } = envelope as { event?: unknown };
  if (typeof event !== 'string' || !Object.hasOwn(KNOWN, event) || !('data' in envelope)) return null;
  if (event === 'message' && typeof (envelope as { data: unknown }).data !== 'string') return null;
  return envelope as ChatEvent;
}

export type TurnStatus = 'sending' | 'streaming' | 'done';

/** The exchange in progress: what was asked and what has arrived so far. */
export interface Turn {
  question: string;
  status: TurnStatus;
  sessionId?: string;
  messageId?: string;
  answer: string;
  thoughts: Thought[];
  error?: { code: string; message: string };
  outcome?: Outcome;
  usage?: Usage;
  model?: string;
}

export const startTurn = (question: string, sessionId?: string): Turn => ({
  question,
  status: 'sending',
  sessionId,
  answer: '',
  thoughts: [],
});

export function applyEvent(turn: Turn, event: ChatEvent): Turn {
  switch (event.event) {
    case 'session':
      return { ...turn, status: 'streaming', sessionId: event.data.session_id, messageId: event.data.message_id };
    case 'thought':
      return { ...turn, status: 'streaming', thoughts: [...turn.thoughts, event.data] };
    case 'message':
      return { ...turn, status: 'streaming', answer: turn.answer + event.data };
    case 'error':
      return { ...turn, error: event.data };
    case 'done':
      return {
        ...turn,
        status: 'done',
        outcome: event.data.outcome,
        sessionId: event.data.session_id,
        messageId: event.data.message_id,
        usage: event.data.usage,
        model: event.data.model,
      };
  }
}

/** Ends a turn the stream never finished (stopped, or the connection dropped). */
export function endTurn(turn: Turn, outcome: Outcome, error?: Turn['error']): Turn {
  if (turn.status === 'done') return turn;
  return { ...turn, status: 'done', outcome, error: error ?? turn.error };
}
