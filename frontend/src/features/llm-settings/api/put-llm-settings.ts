import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/types/api';
import { llmSettingsQuery } from './get-llm-settings';

/** `api_key` absent keeps the stored key, `''` removes it, anything else replaces it. */
export type PutLlm = components['schemas']['PutLlmRequest'];

export function putLlmSettings(body: PutLlm) {
  return unwrap(api.PUT('/api/v1/tenant/llm', { body }));
}

export function usePutLlmSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: putLlmSettings,
    // The variables hold the API key: forget the mutation as soon as the form does.
    gcTime: 0,
    onSuccess: (settings) => client.setQueryData(llmSettingsQuery().queryKey, settings),
  });
}
