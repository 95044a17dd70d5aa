import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, expect, test, vi } from 'vitest';
import { fakeApi, problem } from '@/testing/fake-api';
import { renderWithApp } from '@/testing/render';
import { ChatView } from './chat-view';

afterEach(() => vi.unstubAllGlobals());

const sse = (id: number, event: string, data: unknown) =>
  `event: ${event}\nid: ${id}\ndata: ${JSON.stringify({ event, data })}\n\n`;

/** An SSE body that sends each frame when the test says so. */
function controlledStream() {
  let push!: (text: string) => void;
  let close!: () => void;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const encoder = new TextEncoder();
      push = (text) => controller.enqueue(encoder.encode(text));
      close = () => controller.close();
    },
  });
  return { body, push: (text: string) => push(text), close: () => close() };
}

const renderChat = (overrides: Partial<Parameters<typeof ChatView>[0]> = {}) => {
  const props = {
    history: [],
    target: { agent_type: 'agent' as const },
    onSession: vi.fn(),
    onDone: vi.fn(),
    ...overrides,
  };
  renderWithApp(<ChatView {...props} />);
  return props;
};

test('the answer streams in piece by piece, with the tool steps in a trace, then the new session is reported', async () => {
  const stream = controlledStream();
  const api = fakeApi().on(
    'POST',
    '/api/v1/chat/completions',
    () => new Response(stream.body, { headers: { 'content-type': 'text/event-stream' } }),
  );
  const props = renderChat();

  await userEvent.type(screen.getByLabelText('Message'), 'What is 12*(3+4)?{Enter}');
  stream.push(sse(1, 'session', { session_id: 'S1', message_id: 'M2' }));
  stream.push(sse(2, 'thought', { kind: 'tool_call', text: 'calculator(12*(3+4))', step: 1 }));
  stream.push(': heartbeat\n\n');
  stream.push(sse(3, 'message', 'The answer '));
  expect(await screen.findByText('The answer')).toBeInTheDocument();
  expect(screen.getByRole('button', { name: 'Stop' })).toBeInTheDocument();
  expect(screen.getByText('calculator(12*(3+4))')).toBeInTheDocument();

  stream.push(sse(4, 'message', 'is **84**.'));
  stream.push(
    sse(5, 'done', {
      outcome: 'completed',
      session_id: 'S1',
      message_id: 'M2',
      usage: { input_tokens: 3, output_tokens: 5, total_tokens: 8 },
      model: 'offline',
    }),
  );
  stream.close();

  expect(await screen.findByText('84', { selector: 'strong' })).toBeInTheDocument();
  await waitFor(() => expect(props.onDone).toHaveBeenCalled());
  expect(props.onSession).toHaveBeenCalledWith('S1');
  expect(screen.getByRole('button', { name: 'Send' })).toBeInTheDocument();
  expect(screen.getByText('8 tokens · offline')).toBeInTheDocument();
  expect(api.requests[0]?.body).toEqual({ message: 'What is 12*(3+4)?', session_id: null, agent_type: 'agent' });
  expect(api.requests[0]?.headers.get('authorization')).toBe('Bearer test-access-token');
});

test('a quota refusal says which quota and when it resets, and Retry asks again', async () => {
  // Three days ahead (and a minute, so the wait still reads "3 days" when the alert renders).
  const resetAt = new Date(Date.now() + 3 * 86_400_000 + 60_000).toISOString();
  const api = fakeApi().on('POST', '/api/v1/chat/completions', () =>
    problem(429, 'quota_exceeded.tokens_month', 'The monthly token quota is used up.', {
      quota: 'tokens_month',
      limit: 1000,
      reset_at: resetAt,
    }),
  );
  renderChat();

  await userEvent.type(screen.getByLabelText('Message'), 'Hello{Enter}');

  const alert = await screen.findByRole('alert');
  expect(alert).toHaveTextContent(
    /Quota reached: LLM tokens this month \(limit 1,000\)\. It resets in 3 days \(.+\)\./,
  );
  await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
  await waitFor(() => expect(api.requests).toHaveLength(2));
  expect(api.requests[1]?.body).toMatchObject({ message: 'Hello' });
});

test('Stop ends the stream, keeps the words so far, and offers Retry', async () => {
  const stream = controlledStream();
  fakeApi().on('POST', '/api/v1/chat/completions', (request) => {
    request.signal.addEventListener('abort', () => stream.close());
    return new Response(stream.body, { headers: { 'content-type': 'text/event-stream' } });
  });
  renderChat({ sessionId: 'S9' });

  await userEvent.type(screen.getByLabelText('Message'), 'Tell me a long story{Enter}');
  stream.push(sse(1, 'session', { session_id: 'S9', message_id: 'M1' }));
  stream.push(sse(2, 'message', 'Once upon a time'));
  await screen.findByText('Once upon a time');
  await userEvent.click(screen.getByRole('button', { name: 'Stop' }));

  expect(await screen.findByText('Stopped before the answer finished.')).toBeInTheDocument();
  expect(screen.getByText('Once upon a time')).toBeInTheDocument();
  expect(screen.getByRole('button', { name: 'Retry' })).toBeInTheDocument();
});

test('a stream cut before done says the connection was lost', async () => {
  const stream = controlledStream();
  fakeApi().on(
    'POST',
    '/api/v1/chat/completions',
    () => new Response(stream.body, { headers: { 'content-type': 'text/event-stream' } }),
  );
  renderChat();

  await userEvent.type(screen.getByLabelText('Message'), 'Hi{Enter}');
  stream.push(sse(1, 'session', { session_id: 'S2', message_id: 'M2' }));
  stream.push(sse(2, 'message', 'Half an ans'));
  stream.close();

  expect(await screen.findByRole('alert')).toHaveTextContent('The connection to the server was lost');
  expect(screen.getByText('Half an ans')).toBeInTheDocument();
});

test('opening another conversation mid-answer drops that turn for good', async () => {
  const stream = controlledStream();
  fakeApi().on('POST', '/api/v1/chat/completions', (request) => {
    request.signal.addEventListener('abort', () => stream.close());
    return new Response(stream.body, { headers: { 'content-type': 'text/event-stream' } });
  });
  const props = { history: [], target: {}, onSession: vi.fn(), onDone: vi.fn() };
  function TwoConversations() {
    const [sessionId, setSessionId] = useState('S1');
    return (
      <>
        <button onClick={() => setSessionId('S2')}>Open S2</button>
        <ChatView {...props} sessionId={sessionId} />
      </>
    );
  }
  renderWithApp(<TwoConversations />);

  await userEvent.type(screen.getByLabelText('Message'), 'First conversation question{Enter}');
  stream.push(sse(1, 'session', { session_id: 'S1', message_id: 'M1' }));
  stream.push(sse(2, 'message', 'An answer for S1'));
  await screen.findByText('An answer for S1');

  await userEvent.click(screen.getByRole('button', { name: 'Open S2' }));
  await new Promise((resolve) => setTimeout(resolve, 50));

  expect(screen.queryByText('An answer for S1')).not.toBeInTheDocument();
  expect(screen.queryByText('First conversation question')).not.toBeInTheDocument();
  expect(screen.queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
  expect(props.onDone).not.toHaveBeenCalled();
});

test('a stored answer keeps its "tokens · model" footer after a reload, one per answer', () => {
  const message = (id: string, role: 'user' | 'assistant', content: string, extra = {}) => ({
    message_id: id,
    role,
    content,
    status: 'complete' as const,
    steps: [],
    ...extra,
  });
  renderChat({
    sessionId: 'S1',
    history: [
      message('M1', 'user', 'What is 12*(3+4)?'),
      message('M2', 'assistant', 'It is 84.', { usage: { input_tokens: 3, output_tokens: 5 }, model: 'offline' }),
      message('M3', 'user', 'And twice that?'),
      message('M4', 'assistant', 'It is 168.', { usage: { input_tokens: 1, output_tokens: 0 }, model: null }),
    ],
  });

  const answers = screen.getAllByRole('article', { name: 'Assistant' });
  expect(answers[0]).toHaveTextContent('8 tokens · offline');
  // One token is singular, and a message without a model says just the tokens.
  expect(answers[1]!.querySelector('.usage-line')).toHaveTextContent(/^1 token$/);
  expect(screen.getAllByRole('article', { name: 'You' })[0]!.querySelector('.usage-line')).toBeNull();
});

test("an error in the stream is shown as a sentence, not as the server's log line", async () => {
  const stream = controlledStream();
  fakeApi().on(
    'POST',
    '/api/v1/chat/completions',
    () => new Response(stream.body, { headers: { 'content-type': 'text/event-stream' } }),
  );
  renderChat();

  await userEvent.type(screen.getByLabelText('Message'), 'Hi{Enter}');
  stream.push(sse(1, 'session', { session_id: 'S3', message_id: 'M2' }));
  stream.push(sse(2, 'error', { code: 'step_limit', message: 'the agent stopped after 8 steps without an answer' }));
  stream.push(
    sse(3, 'done', {
      outcome: 'truncated',
      session_id: 'S3',
      message_id: 'M2',
      usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
      model: 'offline',
    }),
  );
  stream.close();

  expect(await screen.findByRole('alert')).toHaveTextContent(/^The agent stopped after 8 steps without an answer\.$/);
  expect(screen.getByText('2 tokens · offline')).toBeInTheDocument();
});
