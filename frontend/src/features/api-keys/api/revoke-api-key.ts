import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { apiKeysQuery } from './get-api-keys';

export const revokeApiKey = (keyId: string) =>
  unwrap(api.DELETE('/api/v1/api-keys/{key_id}', { params: { path: { key_id: keyId } } }));

/** Revokes a key: calls with it fail from now on. */
export function useRevokeApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: revokeApiKey,
    onSuccess: () => client.invalidateQueries({ queryKey: apiKeysQuery().queryKey }),
  });
}
