import type { ReactNode } from 'react';
import { ConfirmButton, ErrorAlert, Loading, Notice } from '@/components/ui';
import { useCatalog } from '@/lib/catalog';
import { useCreateAgent } from '../api/create-agent';
import { useDeleteAgent } from '../api/delete-agent';
import { useAgent } from '../api/get-agent';
import type { AgentFields } from '../api/list-agents';
import { useTenantTools } from '../api/list-tools';
import { useUpdateAgent } from '../api/update-agent';
import { AgentForm } from './agent-form';

interface Props {
  /** The agent to edit; absent to create one. */
  agentId?: string;
  /** Whether the user may list the tenant's own tools (tenant_manage); others are offered the built-ins. */
  canListTools: boolean;
  /** After a save or a delete. */
  onDone: () => void;
  /** Notes shown under tools' checkboxes. */
  toolHints?: Partial<Record<string, ReactNode>>;
}

/** Loads what the form needs, and saves (POST or PATCH) or deletes. */
export function AgentEditor({ agentId, canListTools, onDone, toolHints }: Props) {
  const agent = useAgent(agentId);
  const tools = useTenantTools(canListTools);
  const catalog = useCatalog();
  const create = useCreateAgent();
  const update = useUpdateAgent();
  const remove = useDeleteAgent();

  if (agentId && agent.isPending) return <Loading />;
  if (agentId && agent.isError) return <ErrorAlert error={agent.error} />;
  if (canListTools && tools.isPending) return <Loading label="Loading tools…" />;
  if (catalog.isPending) return <Loading />;
  if (catalog.isError) return <ErrorAlert error={catalog.error} />;

  const toolNames = [...catalog.data.tools.map((t) => t.name), ...(tools.data?.map((t) => t.name) ?? [])];
  const save = (fields: AgentFields) => {
    // The form always names a new agent.
    if (!agentId) create.mutate({ ...fields, name: fields.name ?? '' }, { onSuccess: onDone });
    else if (Object.keys(fields).length === 0) onDone();
    else update.mutate({ agentId, fields }, { onSuccess: onDone });
  };

  return (
    <div className="stack">
      {/* Without the tenant's tools the form still works with the built-ins. */}
      {tools.isError && (
        <Notice>Your workspace's own tools could not be loaded; only built-in tools are offered.</Notice>
      )}
      <AgentForm
        key={agent.data?.version}
        agent={agent.data}
        toolNames={toolNames}
        catalog={catalog.data}
        toolHints={toolHints}
        onSubmit={save}
        busy={create.isPending || update.isPending}
        error={create.error ?? update.error}
      />
      {agent.data && (
        <section className="stack panel" aria-labelledby="delete-agent">
          <h2 id="delete-agent">Delete this agent</h2>
          <ErrorAlert error={remove.error} />
          <div className="row">
            <ConfirmButton
              question={`Delete the agent “${agent.data.name}”? This cannot be undone.`}
              disabled={remove.isPending}
              onConfirm={() => remove.mutate(agent.data.agent_id, { onSuccess: onDone })}
            >
              Delete agent
            </ConfirmButton>
          </div>
        </section>
      )}
    </div>
  );
}
