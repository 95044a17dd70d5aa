import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes, useSearchParams } from 'react-router';
import { afterEach, expect, test, vi } from 'vitest';
import { fakeApi, json } from '@/testing/fake-api';
import { renderWithApp } from '@/testing/render';
import { AgentsList } from './agents-list';

afterEach(() => vi.unstubAllGlobals());

const agent = {
  agent_id: 'A1',
  name: 'Support bot',
  description: 'Answers questions',
  system_prompt: '',
  provider: 'ollama',
  model: 'llama3.2',
  temperature: null,
  max_output_tokens: 1024,
  tools: ['calculator', 'http_get'],
  max_steps: 6,
  conversation_starters: [],
  version: 7,
  created_by: { kind: 'user', id: 'U1' },
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

const withOneAgent = () => fakeApi().on('GET', '/api/v1/agents', () => json({ items: [agent], next_cursor: null }));

test('a member sees the agents and a way to try them, but no create, edit or delete', async () => {
  withOneAgent();
  renderWithApp(<AgentsList canManage={false} canChat />);

  const row = (await screen.findByText('Support bot')).closest('tr')!;
  expect(within(row).getByText('Answers questions')).toBeInTheDocument();
  expect(within(row).getByText('calculator, http_get')).toBeInTheDocument();
  expect(within(row).getByText('ollama / llama3.2')).toBeInTheDocument();
  expect(within(row).getByText('v7')).toBeInTheDocument();
  expect(within(row).getByRole('link', { name: 'Try it: Support bot' })).toHaveAttribute('href', '/chat?agent=A1');
  expect(screen.queryByRole('link', { name: /new agent/i })).not.toBeInTheDocument();
  expect(screen.queryByRole('link', { name: /edit/i })).not.toBeInTheDocument();
  expect(screen.queryByRole('button', { name: /delete/i })).not.toBeInTheDocument();
});

test('a viewer, who may not chat, is offered no "Try it"', async () => {
  withOneAgent();
  renderWithApp(<AgentsList canManage={false} canChat={false} />);
  await screen.findByText('Support bot');
  expect(screen.queryByRole('link', { name: /Try it/ })).not.toBeInTheDocument();
});

test('a manager gets create, edit and delete controls', async () => {
  withOneAgent();
  renderWithApp(<AgentsList canManage canChat />);

  await screen.findByRole('link', { name: 'Try it: Support bot' });
  expect(screen.getByRole('link', { name: 'New agent' })).toHaveAttribute('href', '/agents/new');
  expect(screen.getByRole('link', { name: 'Edit Support bot' })).toHaveAttribute('href', '/agents/A1');
  expect(screen.getByRole('button', { name: 'Delete Support bot' })).toBeInTheDocument();
});

test('without agents of its own the workspace still lists the built-in ones, each to try', async () => {
  fakeApi().on('GET', '/api/v1/agents', () => json({ items: [], next_cursor: null }));
  renderWithApp(<AgentsList canManage={false} canChat />);

  expect(await screen.findByText('Your workspace has no agents of its own yet')).toBeInTheDocument();
  expect(screen.queryByText('No agents yet')).not.toBeInTheDocument();
  const builtins = screen.getByRole('table', { name: 'Built-in agents' });
  const row = (await within(builtins).findByText('Agent with calculator and clock')).closest('tr')!;
  expect(within(row).getByText('Built-in')).toBeInTheDocument();
  expect(within(row).getByText('calculator, current_time')).toBeInTheDocument();
  expect(within(row).getByRole('link', { name: 'Try it: Agent with calculator and clock' })).toHaveAttribute(
    'href',
    '/chat?agent=type%3Aagent',
  );
  expect(within(builtins).getByRole('link', { name: 'Try it: Assistant' })).toHaveAttribute(
    'href',
    '/chat?agent=type%3Aassistant',
  );
  // Read-only: nothing to edit or delete.
  expect(within(builtins).queryByRole('link', { name: /edit/i })).not.toBeInTheDocument();
  expect(within(builtins).queryByRole('button')).not.toBeInTheDocument();
});

test("a built-in agent's Try it opens the chat with it chosen", async () => {
  fakeApi().on('GET', '/api/v1/agents', () => json({ items: [], next_cursor: null }));
  renderWithApp(
    <Routes>
      <Route path="/agents" element={<AgentsList canManage canChat />} />
      <Route path="/chat" element={<ChosenAgent />} />
    </Routes>,
    { path: '/agents' },
  );

  await userEvent.click(await screen.findByRole('link', { name: 'Try it: Agent with calculator and clock' }));
  expect(await screen.findByText('chat with type:agent')).toBeInTheDocument();
});

/** Stands in for the chat screen, which reads the chosen agent from `?agent=`. */
function ChosenAgent() {
  const [params] = useSearchParams();
  return <p>chat with {params.get('agent')}</p>;
}

test('a viewer sees the built-in agents but no Try it', async () => {
  withOneAgent();
  renderWithApp(<AgentsList canManage={false} canChat={false} />);
  await screen.findByText('Assistant');
  expect(screen.getByText('Support bot')).toBeInTheDocument();
  expect(screen.queryByRole('link', { name: /Try it/ })).not.toBeInTheDocument();
});
