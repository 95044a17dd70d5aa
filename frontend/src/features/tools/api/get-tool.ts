import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { toolsKey } from './list-tools';

export function getTool(toolId: string) {
  return unwrap(api.GET('/api/v1/tools/{tool_id}', { params: { path: { tool_id: toolId } } }));
}

export const toolQuery = (toolId: string) =>
  queryOptions({ queryKey: [...toolsKey, 'detail', toolId], queryFn: () => getTool(toolId) });

export const useTool = (toolId: string | undefined) => useQuery({ ...toolQuery(toolId ?? ''), enabled: !!toolId });
