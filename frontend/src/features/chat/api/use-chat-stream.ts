// The chat stream as a hook over fetch-event-source (not a query): POSTs the
// message with the session's credentials and folds each frame into the turn.
import { fetchEventSource } from '@microsoft/fetch-event-source';
import { useCallback, useEffect, useRef, useState } from 'react';
import { env } from '@/config/env';
import { authedFetch } from '@/lib/api-client';
import { ApiError, errorFromResponse } from '@/lib/problem';
import type { components } from '@/types/api';
import { applyEvent, endTurn, parseFrame, startTurn, type Turn } from '../lib/frames';

export type ChatRequest = components['schemas']['TurnRequest'];

class StreamClosed extends Error {}

export function useChatStream({
  onSession,
  onDone,
}: {
  onSession?: (sessionId: string) => void;
  onDone?: (turn: Turn) => void;
} = {}) {
  const [turn, setTurn] = useState<Turn | null>(null);
  /** A refusal before the stream started (quota, validation, permissions), with what was asked. */
  const [refusal, setRefusal] = useState<{ error: ApiError; question: string } | null>(null);
  const controller = useRef<AbortController | null>(null);
  const callbacks = useRef({ onSession, onDone });
  useEffect(() => {
    callbacks.current = { onSession, onDone };
  });
  useEffect(() => () => drop(controller), []);

  const send = useCallback(async (request: ChatRequest) => {
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    let current = startTurn(request.message, request.session_id ?? undefined);
    const update = (next: Turn) => {
      current = next;
      // A turn replaced by a newer one no longer speaks for the screen.
      if (controller.current === abort) setTurn(next);
    };
    setRefusal(null);
    update(current);
    try {
      await fetchEventSource(`${env.apiUrl}/api/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify(request),
        signal: abort.signal,
        openWhenHidden: true, // a turn goes on while the tab is in the background
        fetch: authedFetch,
        async onopen(response) {
          if (response.ok && response.headers.get('content-type')?.startsWith('text/event-stream')) return;
          throw await errorFromResponse(response);
        },
        onmessage(message) {
          const event = parseFrame(message.data);
          if (!event) return;
          update(applyEvent(current, event));
          if (event.event === 'session') callbacks.current.onSession?.(event.data.session_id);
        },
        onclose() {
          // Without a throw the library reconnects, which would send the message twice.
          throw new StreamClosed();
        },
        onerror(error) {
          throw error;
        },
      });
    } catch (error) {
      if (error instanceof ApiError) {
        if (controller.current !== abort) return;
        setRefusal({ error, question: request.message });
        setTurn(null);
        return;
      }
      if (!(error instanceof StreamClosed) || current.status !== 'done') {
        update(
          endTurn(current, 'failed', {
            code: 'connection_lost',
            message: 'The connection to the server was lost before the answer finished.',
          }),
        );
      }
    }
    if (controller.current !== abort) return; // reset, or replaced by a newer turn
    if (abort.signal.aborted) update(endTurn(current, 'cancelled'));
    if (current.status === 'done' && current.sessionId) callbacks.current.onDone?.(current);
  }, []);

  const stop = useCallback(() => controller.current?.abort(), []);
  const reset = useCallback(() => {
    drop(controller);
    setTurn(null);
    setRefusal(null);
  }, []);

  return { turn, refusal, send, stop, reset, streaming: turn !== null && turn.status !== 'done' };
}

/** Ends the turn in flight and forgets it first, so its ending reports nothing. */
function drop(controller: { current: AbortController | null }) {
  const dropped = controller.current;
  controller.current = null;
  dropped?.abort();
}
