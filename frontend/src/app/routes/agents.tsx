import { can, useMe } from '@/features/auth/api/get-me';
import { AgentsList } from '@/features/agents/components/agents-list';

export default function AgentsRoute() {
  const me = useMe();
  return <AgentsList canManage={can(me.data, 'agents_manage')} canChat={can(me.data, 'chat')} />;
}
