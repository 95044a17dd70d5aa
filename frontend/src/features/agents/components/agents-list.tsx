import { Link } from 'react-router';
import { PagedTable } from '@/components/paged-table';
import { ConfirmButton, EmptyState, ErrorAlert, PageHeader } from '@/components/ui';
import { type Catalog, useCatalog } from '@/lib/catalog';
import { useDeleteAgent } from '../api/delete-agent';
import { type Agent, useAgents } from '../api/list-agents';

/** The tenant's agents, then the built-in ones; the manage controls only for those who may use them. */
/** `canChat`: "Try it" opens the chat, which viewers may not use. */
export function AgentsList({ canManage, canChat }: { canManage: boolean; canChat: boolean }) {
  const agents = useAgents();
  const catalog = useCatalog();
  const remove = useDeleteAgent();

  return (
    <div className="stack">
      <PageHeader title="Agents">
        {canManage && (
          <Link className="button" to="/agents/new">
            New agent
          </Link>
        )}
      </PageHeader>
      <section className="stack" aria-labelledby="own-agents">
        <h2 id="own-agents">Your workspace’s agents</h2>
        <ErrorAlert error={remove.error} />
        <PagedTable
          query={agents}
          caption="Agents, newest first"
          columns={['Name', 'Tools', 'Model', 'Version', '']}
          empty={
            <EmptyState title="Your workspace has no agents of its own yet">
              <p>
                {canManage
                  ? 'Create one to give chats a prompt, a model and tools of their own.'
                  : 'An admin of your workspace can create some.'}{' '}
                The built-in agents below are ready to use.
              </p>
            </EmptyState>
          }
          row={(agent) => (
            <AgentRow
              key={agent.agent_id}
              agent={agent}
              canManage={canManage}
              canChat={canChat}
              deleting={remove.isPending && remove.variables === agent.agent_id}
              onDelete={() => remove.mutate(agent.agent_id)}
            />
          )}
        />
      </section>
      <section className="stack" aria-labelledby="builtin-agents">
        <h2 id="builtin-agents">Built-in agents</h2>
        <ErrorAlert error={catalog.error} />
        {catalog.data && <BuiltinAgents agents={catalog.data.agents} canChat={canChat} />}
      </section>
    </div>
  );
}

/** The platform's own agents: every workspace has them, no one edits them. */
function BuiltinAgents({ agents, canChat }: { agents: Catalog['agents']; canChat: boolean }) {
  return (
    <div className="table-wrap">
      <table>
        <caption className="sr-only">Built-in agents</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Tools</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {agents.map((agent) => (
            <tr key={agent.agent_type}>
              <td>
                <strong>{agent.name}</strong> <span className="badge">Built-in</span>
                <div className="muted">{agent.description}</div>
              </td>
              <td>{agent.tools.length ? agent.tools.join(', ') : <span className="muted">none</span>}</td>
              <td>
                {canChat && (
                  // The chat reads a built-in agent from `?agent=type:<agent_type>`.
                  <Link
                    to={`/chat?agent=${encodeURIComponent(`type:${agent.agent_type}`)}`}
                    aria-label={`Try it: ${agent.name}`}
                  >
                    Try it
                  </Link>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AgentRow({
  agent,
  canManage,
  canChat,
  deleting,
  onDelete,
}: {
  agent: Agent;
  canManage: boolean;
  canChat: boolean;
  deleting: boolean;
  onDelete: () => void;
}) {
  const model = [agent.provider, agent.model].filter(Boolean).join(' / ');
  return (
    <tr>
      <td>
        <strong>{agent.name}</strong>
        {agent.description && <div className="muted">{agent.description}</div>}
      </td>
      <td>{agent.tools.length ? agent.tools.join(', ') : <span className="muted">none</span>}</td>
      <td>{model || <span className="muted">workspace default</span>}</td>
      <td>
        <span className="badge">v{agent.version}</span>
      </td>
      <td>
        <div className="row">
          {canChat && (
            <Link to={`/chat?agent=${encodeURIComponent(agent.agent_id)}`} aria-label={`Try it: ${agent.name}`}>
              Try it
            </Link>
          )}
          {canManage && (
            <>
              <Link to={`/agents/${encodeURIComponent(agent.agent_id)}`} aria-label={`Edit ${agent.name}`}>
                Edit
              </Link>
              <ConfirmButton
                question={`Delete the agent “${agent.name}”? This cannot be undone.`}
                disabled={deleting}
                onConfirm={onDelete}
              >
                Delete <span className="sr-only">{agent.name}</span>
              </ConfirmButton>
            </>
          )}
        </div>
      </td>
    </tr>
  );
}
