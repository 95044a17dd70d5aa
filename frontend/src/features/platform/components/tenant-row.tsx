import { useId, useState } from 'react';
import { formatDate } from '@/lib/format';
import { planLabel, tenantStatusLabel } from '@/lib/labels';
import type { PlatformTenant } from '../api/get-tenants';
import { TenantManage } from './tenant-manage';

export function TenantRow({ tenant }: { tenant: PlatformTenant }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  return (
    <>
      <tr>
        <td>{tenant.name}</td>
        <td>
          <code>{tenant.slug}</code>
        </td>
        <td>{planLabel(tenant.plan)}</td>
        <td>
          <span className="badge">{tenantStatusLabel(tenant.status)}</span>
        </td>
        <td>{formatDate(tenant.created_at)}</td>
        <td>
          <button
            type="button"
            className="secondary"
            aria-expanded={open}
            aria-controls={open ? panelId : undefined}
            onClick={() => setOpen((o) => !o)}
          >
            {open ? 'Close' : 'Manage'} <span className="sr-only">{tenant.name}</span>
          </button>
        </td>
      </tr>
      {open && (
        <tr>
          <td colSpan={6}>
            <TenantManage tenant={tenant} id={panelId} />
          </td>
        </tr>
      )}
    </>
  );
}
