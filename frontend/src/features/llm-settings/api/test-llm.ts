import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/types/api';

export type LlmTest = components['schemas']['LlmTest'];

/** Asks the saved provider for a tiny answer; a failing provider still answers 200 with `ok: false`. */
export function testLlm() {
  return unwrap(api.POST('/api/v1/tenant/llm/test'));
}

export const useTestLlm = () => useMutation({ mutationFn: testLlm });
