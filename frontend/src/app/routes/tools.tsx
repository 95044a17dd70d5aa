import { ToolsList } from '@/features/tools/components/tools-list';

export default function ToolsRoute() {
  return <ToolsList />;
}
