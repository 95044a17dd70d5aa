import { ConfirmButton, ErrorAlert, Loading } from '@/components/ui';
import { useCatalog } from '@/lib/catalog';
import { useCreateTool } from '../api/create-tool';
import { useDeleteTool } from '../api/delete-tool';
import { useTool } from '../api/get-tool';
import type { NewTool, ToolFields } from '../api/list-tools';
import { useUpdateTool } from '../api/update-tool';
import { ToolForm } from './tool-form';
import '../tools.css';

interface Props {
  /** The tool to edit; absent to create one. */
  toolId?: string;
  /** After a save or a delete. */
  onDone: () => void;
}

/** Loads what the form needs, and saves (POST or PATCH) or deletes. */
export function ToolEditor({ toolId, onDone }: Props) {
  const tool = useTool(toolId);
  const catalog = useCatalog();
  const create = useCreateTool();
  const update = useUpdateTool();
  const remove = useDeleteTool();

  if (toolId && tool.isPending) return <Loading />;
  if (toolId && tool.isError) return <ErrorAlert error={tool.error} />;

  const save = (fields: NewTool | ToolFields) => {
    if (!toolId) create.mutate(fields as NewTool, { onSuccess: onDone });
    else if (Object.keys(fields).length === 0) onDone();
    else update.mutate({ toolId, fields }, { onSuccess: onDone });
  };

  return (
    <div className="stack">
      <ToolForm
        key={tool.data?.updated_at}
        tool={tool.data}
        // Without the catalog the server still refuses a built-in's name.
        builtinNames={catalog.data?.tools.map((t) => t.name) ?? []}
        onSubmit={save}
        busy={create.isPending || update.isPending}
        error={create.error ?? update.error}
      />
      {tool.data && (
        <section className="stack panel" aria-labelledby="delete-tool">
          <h2 id="delete-tool">Delete this tool</h2>
          <ErrorAlert error={remove.error} />
          <div className="row">
            <ConfirmButton
              question={`Delete the tool “${tool.data.name}”? Agents that use it can no longer call it. This cannot be undone.`}
              disabled={remove.isPending}
              onConfirm={() => remove.mutate(tool.data.tool_id, { onSuccess: onDone })}
            >
              Delete tool
            </ConfirmButton>
          </div>
        </section>
      )}
    </div>
  );
}
