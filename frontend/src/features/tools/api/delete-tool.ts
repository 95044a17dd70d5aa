import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { toolQuery } from './get-tool';
import { toolsKey } from './list-tools';

export async function deleteTool(toolId: string): Promise<void> {
  await unwrap(api.DELETE('/api/v1/tools/{tool_id}', { params: { path: { tool_id: toolId } } }));
}

export function useDeleteTool() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: deleteTool,
    onSuccess: (_, toolId) => {
      // Mark the detail stale without refetching it now (it would only answer 404 to a
      // screen about to leave); the lists, the agent editor's included, are asked again.
      void client.invalidateQueries({ queryKey: toolQuery(toolId).queryKey, refetchType: 'none' });
      return client.invalidateQueries({ queryKey: toolsKey, predicate: (q) => q.queryKey[1] !== 'detail' });
    },
  });
}
