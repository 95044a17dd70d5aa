import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { ErrorAlert, SelectField } from '@/components/ui';
import { useAgents } from '@/features/agents/api/list-agents';
import { can, useMe } from '@/features/auth/api/get-me';
import { type AgentType, type ChatTarget, ChatView } from '@/features/chat/components/chat-view';
import type { Turn } from '@/features/chat/lib/frames';
import { sessionsListKey } from '@/features/sessions/api/get-sessions';
import { transcriptQuery, useTranscript } from '@/features/sessions/api/get-transcript';
import { SessionList } from '@/features/sessions/components/session-list';
import { useCatalog } from '@/lib/catalog';

/** `?agent=` names a tenant agent by id or a built-in type; the default is the assistant. */
function targetOf(choice: string): ChatTarget {
  if (choice.startsWith('type:')) return { agent_type: choice.slice(5) as AgentType };
  return { agent_id: choice };
}

export default function ChatRoute() {
  const { sessionId } = useParams();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const me = useMe();
  const agents = useAgents();
  const catalog = useCatalog();
  const transcript = useTranscript(sessionId);
  const choice = params.get('agent') ?? 'type:assistant';
  const agentList = useMemo(() => agents.data?.pages.flatMap((page) => page.items) ?? [], [agents.data]);
  const chosen = agentList.find((agent) => agent.agent_id === choice);

  const onSession = useCallback((id: string) => navigate(`/chat/${id}`, { replace: true }), [navigate]);
  // The finished turn is stored: the list (its order and count) and this transcript change, nothing else.
  const onDone = useCallback(
    (turn: Turn) =>
      Promise.all([
        client.invalidateQueries({ queryKey: sessionsListKey }),
        turn.sessionId && client.invalidateQueries({ queryKey: transcriptQuery(turn.sessionId).queryKey }),
      ]),
    [client],
  );

  const picker = (
    <SelectField label="Talk to" value={choice} onChange={(e) => setParams({ agent: e.target.value })}>
      {catalog.data?.agents.map((builtin) => (
        <option key={builtin.agent_type} value={`type:${builtin.agent_type}`}>
          {builtin.name} (built-in)
        </option>
      ))}
      {agentList.map((agent) => (
        <option key={agent.agent_id} value={agent.agent_id}>
          {agent.name}
        </option>
      ))}
    </SelectField>
  );

  return (
    <div className="chat-layout">
      <aside className="chat-sidebar" aria-label="Conversations">
        <Link to="/chat" className="button">
          New chat
        </Link>
        <SessionList
          compact
          linkTo={(id) => `/chat/${id}`}
          canEdit={can(me.data, 'sessions_write')}
          onDeleted={(id) => id === sessionId && navigate('/chat')}
        />
      </aside>
      <section className="chat-main" aria-label="Chat">
        <h1 className="sr-only">Chat</h1>
        <ErrorAlert error={transcript.error} />
        {/* Stays mounted while the first answer's new session loads, or its stream would be cut. */}
        <ChatView
          sessionId={sessionId}
          historyLoading={!!sessionId && transcript.isPending}
          history={transcript.data ?? []}
          target={targetOf(choice)}
          intro={
            <>
              {picker}
              {chosen?.description && <p className="muted">{chosen.description}</p>}
            </>
          }
          starters={chosen?.conversation_starters ?? []}
          onSession={onSession}
          onDone={onDone}
        />
      </section>
    </div>
  );
}
