import { expect, test } from 'vitest';
import { applyEvent, type ChatEvent, endTurn, parseFrame, startTurn } from './frames';

const frame = (event: string, data: unknown) => JSON.stringify({ event, data });

test('frames fold into a turn: session, thoughts, text deltas in order, then done', () => {
  const events = [
    frame('session', { session_id: 'S1', message_id: 'M2' }),
    frame('thought', { kind: 'tool_call', text: 'calculator(12*(3+4))', step: 1 }),
    frame('thought', { kind: 'tool_result', text: '84', step: 1 }),
    frame('message', 'The answer '),
    frame('message', 'is **84**.'),
    frame('done', {
      outcome: 'completed',
      session_id: 'S1',
      message_id: 'M2',
      usage: { input_tokens: 5, output_tokens: 7, total_tokens: 12 },
      model: 'offline',
    }),
  ].map((data) => parseFrame(data) as ChatEvent);

  const turn = events.reduce(applyEvent, startTurn('What is 12*(3+4)?'));

  expect(turn).toMatchObject({
    status: 'done',
    outcome: 'completed',
    sessionId: 'S1',
    messageId: 'M2',
    answer: 'The answer is **84**.',
    usage: { total_tokens: 12 },
    model: 'offline',
  });
  expect(turn.thoughts.map((t) => t.kind)).toEqual(['tool_call', 'tool_result']);
});

test('an error frame is kept for the screen and the turn still ends with done', () => {
  const error = parseFrame(
    frame('error', { code: 'provider_unavailable', message: 'The model provider did not answer.' }),
  )!;
  const done = parseFrame(frame('done', { outcome: 'failed', session_id: 'S', message_id: 'M' }))!;
  const turn = applyEvent(applyEvent(startTurn('hi'), error), done);
  expect(turn.error?.message).toBe('The model provider did not answer.');
  expect(turn.outcome).toBe('failed');
});

test('frames that are not the contract are skipped, not fatal', () => {
  expect(parseFrame('not json')).toBeNull();
  expect(parseFrame(JSON.stringify({ event: 'telemetry', data: {} }))).toBeNull();
  expect(parseFrame(JSON.stringify({ event: 'message', data: { text: 'object instead of string' } }))).toBeNull();
  expect(parseFrame(JSON.stringify({ data: 'no event name' }))).toBeNull();
});

test('a stopped turn keeps what arrived and says it was cancelled; a finished one is left alone', () => {
  const partial = applyEvent(startTurn('long story'), { event: 'message', data: 'Once upon' });
  expect(endTurn(partial, 'cancelled')).toMatchObject({ status: 'done', outcome: 'cancelled', answer: 'Once upon' });
  const finished = { ...partial, status: 'done' as const, outcome: 'completed' as const };
  expect(endTurn(finished, 'cancelled').outcome).toBe('completed');
});
