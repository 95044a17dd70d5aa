import { AgentsList } from '@/features/agents/components/agents-list';
import { can, useMe } from '@/features/auth/api/get-me';

export default function AgentsRoute() {
  const me = useMe();
  return <AgentsList canManage={can(me.data, 'agents_manage')} canChat={can(me.data, 'chat')} />;
}
