import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, test, vi } from 'vitest';
import { fakeApi, json, problem } from '@/testing/fake-api';
import { renderWithApp } from '@/testing/render';
import { AgentEditor } from './agent-editor';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const stored = {
  agent_id: 'A1',
  name: 'Support bot',
  description: 'Answers questions',
  system_prompt: 'Be kind.',
  provider: null,
  model: null,
  temperature: null,
  max_output_tokens: 1024,
  tools: ['calculator'],
  max_steps: 6,
  conversation_starters: ['Hello'],
  version: 3,
  created_by: { kind: 'user', id: 'U1' },
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

const tenantTool = (name: string) => ({
  tool_id: `T-${name}`,
  name,
  description: '',
  endpoint: 'https://x',
  parameters: {},
  secret_set: false,
  created_at: '',
  updated_at: '',
});

test('a new agent is created with the fields the user typed', async () => {
  const api = fakeApi()
    // The tenant's tools come in two pages; the form offers both.
    .on('GET', '/api/v1/tools', (request) => {
      const second = new URL(request.url).searchParams.get('cursor') === 'page-2';
      return json({
        items: [tenantTool(second ? 'ticket_search' : 'crm_lookup')],
        next_cursor: second ? null : 'page-2',
      });
    })
    .on('POST', '/api/v1/agents', (_, body) =>
      json({ ...stored, ...(body as object), agent_id: 'A2', version: 1 }, 201),
    );
  const done = vi.fn();
  renderWithApp(<AgentEditor canListTools onDone={done} />);

  await userEvent.type(await screen.findByLabelText('Name'), 'Researcher');
  await userEvent.type(screen.getByLabelText('Description'), 'Looks things up');
  await userEvent.clear(screen.getByLabelText('System prompt'));
  await userEvent.type(screen.getByLabelText('System prompt'), 'Cite sources.');
  await userEvent.selectOptions(screen.getByLabelText('Provider'), 'ollama');
  await userEvent.type(screen.getByLabelText('Model'), 'llama3.2');
  await userEvent.type(screen.getByLabelText('Temperature'), '0.5');
  await userEvent.clear(screen.getByLabelText('Max output tokens'));
  await userEvent.type(screen.getByLabelText('Max output tokens'), '2048');
  await userEvent.clear(screen.getByLabelText('Max steps'));
  await userEvent.type(screen.getByLabelText('Max steps'), '4');
  await userEvent.click(screen.getByLabelText('http_get'));
  await userEvent.click(screen.getByLabelText('crm_lookup'));
  await userEvent.click(screen.getByLabelText('ticket_search'));
  await userEvent.type(screen.getByLabelText('Conversation starters'), 'What is new?{enter}{enter}  Find a paper  ');
  await userEvent.click(screen.getByRole('button', { name: 'Create agent' }));

  await waitFor(() => expect(done).toHaveBeenCalled());
  const post = api.requests.find((r) => r.method === 'POST');
  expect(post?.body).toEqual({
    name: 'Researcher',
    description: 'Looks things up',
    system_prompt: 'Cite sources.',
    provider: 'ollama',
    model: 'llama3.2',
    temperature: 0.5,
    max_output_tokens: 2048,
    tools: ['crm_lookup', 'http_get', 'ticket_search'],
    max_steps: 4,
    conversation_starters: ['What is new?', 'Find a paper'],
  });
});

test('editing PATCHes only what changed', async () => {
  const api = fakeApi()
    .on('GET', '/api/v1/agents/A1', () => json(stored))
    .on('PATCH', '/api/v1/agents/A1', (_, body) => json({ ...stored, ...(body as object), version: 4 }));
  const done = vi.fn();
  renderWithApp(<AgentEditor agentId="A1" canListTools={false} onDone={done} />);

  const name = await screen.findByLabelText('Name');
  expect(name).toHaveValue('Support bot');
  await userEvent.clear(name);
  await userEvent.type(name, 'Helpdesk');
  await userEvent.click(screen.getByLabelText('calculator'));
  await userEvent.click(screen.getByRole('button', { name: 'Save changes' }));

  await waitFor(() => expect(done).toHaveBeenCalled());
  expect(api.requests.filter((r) => r.method === 'PATCH').map((r) => r.body)).toEqual([
    { name: 'Helpdesk', tools: [] },
  ]);
  // Without tenant_manage the tenant's tools are not asked for.
  expect(api.requests.some((r) => r.path.startsWith('/api/v1/tools'))).toBe(false);
});

test('a validation problem is shown and the form stays', async () => {
  fakeApi().on('POST', '/api/v1/agents', () => problem(422, 'validation_failed', 'temperature is from 0 to 2'));
  const done = vi.fn();
  renderWithApp(<AgentEditor canListTools={false} onDone={done} />);

  await userEvent.type(await screen.findByLabelText('Name'), 'Hot');
  await userEvent.click(screen.getByRole('button', { name: 'Create agent' }));

  expect(await screen.findByRole('alert')).toHaveTextContent('Temperature is from 0 to 2.');
  expect(done).not.toHaveBeenCalled();
});

test('the agents quota says which limit was reached', async () => {
  fakeApi().on('POST', '/api/v1/agents', () =>
    problem(429, 'quota_exceeded.agents', 'too many agents', { quota: 'agents', limit: 3 }),
  );
  renderWithApp(<AgentEditor canListTools={false} onDone={vi.fn()} />);

  await userEvent.type(await screen.findByLabelText('Name'), 'Fourth');
  await userEvent.click(screen.getByRole('button', { name: 'Create agent' }));

  expect(await screen.findByRole('alert')).toHaveTextContent('Quota reached: agents (limit 3).');
});

test('deleting asks first, then sends DELETE', async () => {
  const api = fakeApi()
    .on('GET', '/api/v1/agents/A1', () => json(stored))
    .on('DELETE', '/api/v1/agents/A1', () => json(null, 204));
  const confirm = vi.spyOn(window, 'confirm').mockReturnValue(true);
  const done = vi.fn();
  renderWithApp(<AgentEditor agentId="A1" canListTools={false} onDone={done} />);

  await userEvent.click(await screen.findByRole('button', { name: 'Delete agent' }));

  await waitFor(() => expect(done).toHaveBeenCalled());
  expect(confirm).toHaveBeenCalled();
  expect(api.requests.some((r) => r.method === 'DELETE' && r.path === '/api/v1/agents/A1')).toBe(true);
});
