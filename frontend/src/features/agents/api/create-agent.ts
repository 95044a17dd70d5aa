import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { AgentFields } from './list-agents';
import { agentsKey } from './list-agents';

export function createAgent(fields: AgentFields) {
  return unwrap(api.POST('/api/v1/agents', { body: fields }));
}

export function useCreateAgent() {
  const client = useQueryClient();
  return useMutation({ mutationFn: createAgent, onSuccess: () => client.invalidateQueries({ queryKey: agentsKey }) });
}
