import { useEffect, useRef } from 'react';
import { formatCount } from '@/lib/format';
import { sentence } from '@/lib/problem';
import type { Thought, Turn } from '../lib/frames';
import { Markdown } from './markdown';
import { ThoughtTrace } from './thought-trace';

/** A stored message, as the transcript gives it. */
export interface PastMessage {
  message_id: string;
  role: 'user' | 'assistant';
  content: string;
  status: 'complete' | 'partial' | 'failed';
  /** The turn's outcome, for assistant messages. */
  outcome?: string | null;
  steps: Thought[];
  /** What the answer cost and which model gave it; stored with assistant messages. */
  usage?: { input_tokens: number; output_tokens: number } | null;
  model?: string | null;
}

/** "8 tokens · gpt-4o-mini" under an answer, the same whether it streamed in or was stored. */
function UsageFooter({ tokens, model }: { tokens: number; model?: string | null }) {
  return (
    <p className="muted usage-line">
      {formatCount(tokens, 'token')}
      {model ? ` · ${model}` : ''}
    </p>
  );
}

const OUTCOME_NOTE: Record<string, string> = {
  cancelled: 'Stopped before the answer finished.',
  truncated: 'The answer was cut short (a step or length limit was reached).',
  failed: 'The answer failed.',
};

/** The conversation so far and the turn streaming in, kept scrolled to the newest words. */
export function MessageList({ history, turn }: { history: PastMessage[]; turn: Turn | null }) {
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'end' });
  }, [history.length, turn?.answer, turn?.thoughts.length]);
  // Once stored, the finished turn arrives with the history; show it once.
  const live = turn && !history.some((m) => m.message_id === turn.messageId) ? turn : null;
  // The question is stored before the answer starts, so history fetched mid-turn already holds it.
  const last = history.at(-1);
  const shown = live && last?.role === 'user' && last.content === live.question ? history.slice(0, -1) : history;

  return (
    <div className="messages" aria-live="off">
      {shown.map((message) => (
        <article
          key={message.message_id}
          className={`message message-${message.role}`}
          aria-label={message.role === 'user' ? 'You' : 'Assistant'}
        >
          {message.role === 'assistant' && <ThoughtTrace thoughts={message.steps} />}
          {message.role === 'user' ? (
            <p className="question">{message.content}</p>
          ) : (
            <Markdown text={message.content} />
          )}
          {message.status !== 'complete' && (
            <p className="note">
              {OUTCOME_NOTE[message.outcome ?? ''] ??
                OUTCOME_NOTE[message.status === 'partial' ? 'cancelled' : 'failed']}
            </p>
          )}
          {message.role === 'assistant' && message.usage && (
            <UsageFooter tokens={message.usage.input_tokens + message.usage.output_tokens} model={message.model} />
          )}
        </article>
      ))}
      {live && (
        <>
          <article className="message message-user" aria-label="You">
            <p className="question">{live.question}</p>
          </article>
          <article className="message message-assistant" aria-label="Assistant" aria-busy={live.status !== 'done'}>
            <ThoughtTrace thoughts={live.thoughts} live={live.status !== 'done'} />
            {live.answer ? (
              <Markdown text={live.answer} />
            ) : (
              live.status !== 'done' && <p className="muted typing">Thinking…</p>
            )}
            {live.error && (
              <p role="alert" className="alert alert-error">
                {sentence(live.error.message)}
              </p>
            )}
            {live.outcome && live.outcome !== 'completed' && !live.error && (
              <p className="note">{OUTCOME_NOTE[live.outcome]}</p>
            )}
            {live.status === 'done' && live.usage && (
              <UsageFooter tokens={live.usage.total_tokens} model={live.model} />
            )}
          </article>
        </>
      )}
      <div ref={end} />
    </div>
  );
}
