import '../chat.css';
import { type ReactNode, useEffect } from 'react';
import { ErrorAlert, Loading } from '@/components/ui';
import { type ChatRequest, useChatStream } from '../api/use-chat-stream';
import type { Turn } from '../lib/frames';
import { Composer } from './composer';
import { MessageList, type PastMessage } from './message-list';

export type AgentType = NonNullable<ChatRequest['agent_type']>;

/** One of a built-in agent type or a tenant agent. */
export type ChatTarget = { agent_type: AgentType } | { agent_id: string } | Record<string, never>;

interface ChatViewProps {
  /** The open conversation; absent for a new one (the first answer creates it). */
  sessionId?: string;
  history: PastMessage[];
  historyLoading?: boolean;
  target: ChatTarget;
  /** Shown above an empty conversation: the agent choice and its starters. */
  intro?: ReactNode;
  starters?: string[];
  onSession: (sessionId: string) => void;
  onDone: (turn: Turn) => void;
}

export function ChatView({
  sessionId,
  history,
  historyLoading,
  target,
  intro,
  starters = [],
  onSession,
  onDone,
}: ChatViewProps) {
  const { turn, refusal, send, stop, reset, streaming } = useChatStream({ onSession, onDone });

  // Opening another conversation drops this one's turn; the session the turn itself created does not.
  useEffect(() => {
    if (turn && turn.sessionId !== sessionId) reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sessionId]);

  const ask = (message: string) =>
    send({ message, session_id: sessionId ?? turn?.sessionId ?? null, ...(sessionId ? {} : target) });
  const lastQuestion = turn?.question ?? refusal?.question;
  const canRetry =
    !streaming && !!lastQuestion && (!!refusal || (turn?.status === 'done' && turn.outcome !== 'completed'));
  const empty = history.length === 0 && !turn && !historyLoading;

  return (
    <div className="chat">
      {empty && (
        <div className="chat-intro stack">
          {intro}
          {starters.length > 0 && (
            <div className="row starters" aria-label="Conversation starters">
              {starters.map((starter) => (
                <button key={starter} type="button" className="secondary" onClick={() => ask(starter)}>
                  {starter}
                </button>
              ))}
            </div>
          )}
        </div>
      )}
      {historyLoading && !turn ? (
        <Loading label="Loading the conversation…" />
      ) : (
        <MessageList history={history} turn={turn} />
      )}
      <ErrorAlert error={refusal?.error} />
      {canRetry && (
        <div className="row">
          <button type="button" className="secondary" onClick={() => lastQuestion && ask(lastQuestion)}>
            Retry
          </button>
        </div>
      )}
      <Composer onSend={ask} onStop={stop} streaming={streaming} />
    </div>
  );
}
