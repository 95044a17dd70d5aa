import { useState } from 'react';
import { ConfirmButton, ErrorAlert, TextField } from '@/components/ui';
import { useDeleteTenant } from '../api/delete-tenant';
import type { PlatformTenant } from '../api/get-tenants';

/** Deletion cannot be undone: the operator types the slug, then confirms once more. */
export function DeleteTenant({ tenant }: { tenant: PlatformTenant }) {
  const [typed, setTyped] = useState('');
  const remove = useDeleteTenant();
  return (
    <div className="stack">
      <ErrorAlert error={remove.error} />
      <TextField
        label={`Type ${tenant.slug} to delete this tenant`}
        hint="Its users, agents, sessions and keys are deleted too."
        autoComplete="off"
        spellCheck={false}
        value={typed}
        onChange={(e) => setTyped(e.target.value)}
      />
      <div className="row">
        <ConfirmButton
          disabled={typed !== tenant.slug || remove.isPending}
          question={`Delete ${tenant.name} (${tenant.slug}) and everything it owns? This cannot be undone.`}
          onConfirm={() => remove.mutate(tenant.tenant_id)}
        >
          {remove.isPending ? 'Deleting…' : 'Delete tenant'}
        </ConfirmButton>
      </div>
    </div>
  );
}
