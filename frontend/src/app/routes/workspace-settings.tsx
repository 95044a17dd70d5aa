import { PageHeader } from '@/components/ui';
import { WorkspaceSettings } from '@/features/workspace/components/workspace-settings';

export default function WorkspaceSettingsRoute() {
  return (
    <div className="stack">
      <PageHeader title="Workspace" />
      <p className="muted">Your workspace’s name, who may manage agents, and where its agents may fetch pages from.</p>
      <WorkspaceSettings />
    </div>
  );
}
