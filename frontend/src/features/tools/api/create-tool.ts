import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { type NewTool, toolsKey } from './list-tools';

export function createTool(fields: NewTool) {
  return unwrap(api.POST('/api/v1/tools', { body: fields }));
}

export function useCreateTool() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createTool,
    // The variables may hold the secret header's value: forget them once the request is done.
    gcTime: 0,
    onSuccess: () => client.invalidateQueries({ queryKey: toolsKey }),
  });
}
