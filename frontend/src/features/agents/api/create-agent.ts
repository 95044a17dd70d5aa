import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/types/api';
import { agentsKey } from './list-agents';

export function createAgent(fields: components['schemas']['NewAgent']) {
  return unwrap(api.POST('/api/v1/agents', { body: fields }));
}

export function useCreateAgent() {
  const client = useQueryClient();
  return useMutation({ mutationFn: createAgent, onSuccess: () => client.invalidateQueries({ queryKey: agentsKey }) });
}
