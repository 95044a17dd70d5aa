import { Link, useNavigate, useParams } from 'react-router';
import { PageHeader } from '@/components/ui';
import { AgentEditor } from '@/features/agents/components/agent-editor';
import { can, useMe } from '@/features/auth/api/get-me';
import { AllowedHostsHint } from '@/features/workspace/components/allowed-hosts-hint';

/** `/agents/new` and `/agents/:agentId`. */
export default function AgentEditRoute() {
  const { agentId } = useParams();
  const me = useMe();
  const navigate = useNavigate();
  return (
    <div className="stack">
      <PageHeader title={agentId ? 'Edit agent' : 'New agent'}>
        <Link to="/agents">Back to agents</Link>
      </PageHeader>
      {/* The key starts a fresh form when moving between agents. */}
      <AgentEditor
        key={agentId ?? 'new'}
        agentId={agentId}
        canListTools={can(me.data, 'tenant_manage')}
        onDone={() => navigate('/agents')}
        toolHints={{ http_get: <AllowedHostsHint canEdit={can(me.data, 'tenant_manage')} /> }}
      />
    </div>
  );
}
