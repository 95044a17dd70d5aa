import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/types/api';
import { apiKeysQuery } from './get-api-keys';

export type CreateKeyInput = components['schemas']['CreateKey'];
export type CreatedKey = components['schemas']['CreatedKey'];

export const createApiKey = (body: CreateKeyInput) => unwrap(api.POST('/api/v1/api-keys', { body }));

/** Creates a key; the answer holds the full key, which the server never shows again. */
export function useCreateApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createApiKey,
    // The result holds the secret: once the caller resets the mutation, nothing may keep it, so no cache time.
    gcTime: 0,
    onSuccess: () => client.invalidateQueries({ queryKey: apiKeysQuery().queryKey }),
  });
}
