import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/types/api';

export type LlmSettings = components['schemas']['LlmSettings'];

export function getLlmSettings() {
  return unwrap(api.GET('/api/v1/tenant/llm'));
}

export const llmSettingsQuery = () => queryOptions({ queryKey: ['tenant', 'llm'], queryFn: getLlmSettings });

export const useLlmSettings = () => useQuery(llmSettingsQuery());
