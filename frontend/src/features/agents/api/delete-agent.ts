import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { agentQuery } from './get-agent';
import { agentsQuery } from './list-agents';

export async function deleteAgent(agentId: string): Promise<void> {
  await unwrap(api.DELETE('/api/v1/agents/{agent_id}', { params: { path: { agent_id: agentId } } }));
}

export function useDeleteAgent() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: deleteAgent,
    onSuccess: (_, agentId) => {
      // Mark the detail stale without refetching it now (it would only answer 404 to a
      // screen about to leave); whoever shows it next asks again.
      void client.invalidateQueries({ queryKey: agentQuery(agentId).queryKey, refetchType: 'none' });
      return client.invalidateQueries({ queryKey: agentsQuery().queryKey });
    },
  });
}
