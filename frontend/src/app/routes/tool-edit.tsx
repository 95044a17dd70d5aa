import { Link, useNavigate, useParams } from 'react-router';
import { PageHeader } from '@/components/ui';
import { ToolEditor } from '@/features/tools/components/tool-editor';

/** `/tools/new` and `/tools/:toolId`. */
export default function ToolEditRoute() {
  const { toolId } = useParams();
  const navigate = useNavigate();
  return (
    <div className="stack">
      <PageHeader title={toolId ? 'Edit tool' : 'New tool'}>
        <Link to="/tools">Back to tools</Link>
      </PageHeader>
      {/* The key starts a fresh form when moving between tools. */}
      <ToolEditor key={toolId ?? 'new'} toolId={toolId} onDone={() => navigate('/tools')} />
    </div>
  );
}
