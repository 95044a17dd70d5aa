import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { agentQuery } from './get-agent';
import type { AgentFields } from './list-agents';
import { agentsQuery } from './list-agents';

/** PATCH carries only the fields that changed: the API has no version check, so
 *  leaving the others out keeps someone else's concurrent edit of them. */
export function updateAgent({ agentId, fields }: { agentId: string; fields: AgentFields }) {
  return unwrap(api.PATCH('/api/v1/agents/{agent_id}', { params: { path: { agent_id: agentId } }, body: fields }));
}

export function useUpdateAgent() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: updateAgent,
    onSuccess: (agent) => {
      client.setQueryData(agentQuery(agent.agent_id).queryKey, agent);
      return client.invalidateQueries({ queryKey: agentsQuery().queryKey });
    },
  });
}
