import { type FormEvent, useState } from 'react';
import { ErrorAlert, TextField } from '@/components/ui';
import type { TenantView } from '@/lib/tenant';
import { type UpdateTenant, useUpdateTenant } from '../api/update-tenant';
import { AllowedHostsEditor } from './allowed-hosts-editor';

/** The workspace's name and the settings its admins choose; Save sends what changed. */
export function WorkspaceForm({ tenant, onSaved }: { tenant: TenantView; onSaved: () => void }) {
  const [name, setName] = useState(tenant.name);
  const [membersManageAgents, setMembersManageAgents] = useState(!!tenant.settings?.members_manage_agents);
  const [hosts, setHosts] = useState(tenant.settings?.allowed_hosts ?? []);
  const update = useUpdateTenant();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body: UpdateTenant = {};
    if (name.trim() !== tenant.name) body.name = name.trim();
    const settings = { members_manage_agents: membersManageAgents, allowed_hosts: hosts };
    const stored = { members_manage_agents: false, allowed_hosts: [], ...tenant.settings };
    // The server replaces the settings whole, so they travel together.
    if (JSON.stringify(settings) !== JSON.stringify(stored)) body.settings = settings;
    if (Object.keys(body).length === 0) return onSaved();
    // Not `mutate`'s onSuccess: the saved tenant restarts (remounts) this form first, which would drop it.
    update.mutateAsync(body).then(onSaved, () => undefined); // a failure is shown by the ErrorAlert
  };

  return (
    <form onSubmit={submit} className="stack" aria-label="Workspace settings">
      <ErrorAlert error={update.error} />
      <TextField
        label="Workspace name"
        required
        maxLength={100}
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <p className="muted">
        Short name <code>{tenant.slug}</code> (used when logging in to one of several workspaces; it cannot be changed).
      </p>
      <fieldset className="choices">
        <legend>Agents</legend>
        <label className="choice">
          <input
            type="checkbox"
            checked={membersManageAgents}
            onChange={(e) => setMembersManageAgents(e.target.checked)}
          />
          Users (not only admins) may create, edit and delete agents
        </label>
      </fieldset>
      <AllowedHostsEditor hosts={hosts} onChange={setHosts} />
      <div className="row">
        <button type="submit" disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
