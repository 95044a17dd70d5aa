import { Link } from 'react-router';
import { PagedTable } from '@/components/paged-table';
import { ConfirmButton, EmptyState, ErrorAlert, PageHeader } from '@/components/ui';
import { useDeleteTool } from '../api/delete-tool';
import { type TenantTool, useTools } from '../api/list-tools';
import '../tools.css';

/** The workspace's own tools, which its agents may call besides the built-in ones. */
export function ToolsList() {
  const tools = useTools();
  const remove = useDeleteTool();

  return (
    <div className="stack">
      <PageHeader title="Tools">
        <Link className="button" to="/tools/new">
          New tool
        </Link>
      </PageHeader>
      <p className="muted">
        Your own services that agents can call: the server POSTs the arguments the model chose to the tool’s endpoint
        and hands the answer back to the model. The built-in tools need no definition here.
      </p>
      <ErrorAlert error={remove.error} />
      <PagedTable
        query={tools}
        caption="Your workspace's tools"
        columns={['Name', 'Endpoint', 'Secret header', '']}
        loadingLabel="Loading tools…"
        className="tools-table"
        empty={
          <EmptyState title="No tools yet">
            <p>Define one to let your agents call an HTTPS endpoint of your own.</p>
          </EmptyState>
        }
        row={(tool) => (
          <ToolRow
            key={tool.tool_id}
            tool={tool}
            deleting={remove.isPending && remove.variables === tool.tool_id}
            onDelete={() => remove.mutate(tool.tool_id)}
          />
        )}
      />
    </div>
  );
}

function ToolRow({ tool, deleting, onDelete }: { tool: TenantTool; deleting: boolean; onDelete: () => void }) {
  return (
    <tr>
      <td>
        <strong>{tool.name}</strong>
        <div className="muted">{tool.description}</div>
      </td>
      <td>
        <code>{tool.endpoint}</code>
      </td>
      <td>
        {tool.secret_set ? (
          <>
            <code>{tool.secret_header_name}</code> <span className="badge">set</span>
          </>
        ) : (
          <span className="muted">none</span>
        )}
      </td>
      <td>
        <div className="row">
          <Link to={`/tools/${encodeURIComponent(tool.tool_id)}`} aria-label={`Edit ${tool.name}`}>
            Edit
          </Link>
          <ConfirmButton
            question={`Delete the tool “${tool.name}”? Agents that use it can no longer call it. This cannot be undone.`}
            disabled={deleting}
            onConfirm={onDelete}
          >
            Delete <span className="sr-only">{tool.name}</span>
          </ConfirmButton>
        </div>
      </td>
    </tr>
  );
}
