import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { agentQuery } from './get-agent';
import { agentsKey } from './list-agents';

export async function deleteAgent(agentId: string): Promise<void> {
  await unwrap(api.DELETE('/api/v1/agents/{agent_id}', { params: { path: { agent_id: agentId } } }));
}

export function useDeleteAgent() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: deleteAgent,
    onSuccess: (_, agentId) => {
      // Drop the detail rather than refetch it: it would only answer 404 now.
      client.removeQueries({ queryKey: agentQuery(agentId).queryKey });
      return client.invalidateQueries({ queryKey: agentsKey });
    },
  });
}
