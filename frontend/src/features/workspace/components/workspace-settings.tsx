import { useState } from 'react';
import { ErrorAlert, Loading, Notice } from '@/components/ui';
import { useTenant } from '@/lib/tenant';
import { WorkspaceForm } from './workspace-form';
import '../workspace.css';

/** The workspace's own settings, for its admins. */
export function WorkspaceSettings() {
  const tenant = useTenant();
  const [saved, setSaved] = useState(false);

  if (tenant.isPending) return <Loading />;
  if (tenant.isError) return <ErrorAlert error={tenant.error} />;

  return (
    <div className="stack">
      {saved && <Notice>Settings saved.</Notice>}
      <div className="panel">
        {/* A save changes `updated_at`: the form restarts from what was stored. */}
        <WorkspaceForm key={tenant.data.updated_at} tenant={tenant.data} onSaved={() => setSaved(true)} />
      </div>
    </div>
  );
}
