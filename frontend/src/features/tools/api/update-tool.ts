import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { toolQuery } from './get-tool';
import { type ToolFields, toolsKey } from './list-tools';

/** PATCH carries only what changed; `secret_header: null` removes the secret, absent keeps it. */
export function updateTool({ toolId, fields }: { toolId: string; fields: ToolFields }) {
  return unwrap(api.PATCH('/api/v1/tools/{tool_id}', { params: { path: { tool_id: toolId } }, body: fields }));
}

export function useUpdateTool() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: updateTool,
    // The variables may hold the secret header's value: forget them once the request is done.
    gcTime: 0,
    onSuccess: (tool) => {
      client.setQueryData(toolQuery(tool.tool_id).queryKey, tool);
      return client.invalidateQueries({ queryKey: toolsKey, predicate: (q) => q.queryKey[1] !== 'detail' });
    },
  });
}
