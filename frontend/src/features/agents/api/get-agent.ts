import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { agentsKey } from './list-agents';

export function getAgent(agentId: string) {
  return unwrap(api.GET('/api/v1/agents/{agent_id}', { params: { path: { agent_id: agentId } } }));
}

export const agentQuery = (agentId: string) =>
  queryOptions({ queryKey: [...agentsKey, 'detail', agentId], queryFn: () => getAgent(agentId) });

export const useAgent = (agentId: string | undefined) => useQuery({ ...agentQuery(agentId ?? ''), enabled: !!agentId });
