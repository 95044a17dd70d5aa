import type { ReactNode } from 'react';
import { OPERATOR_LABEL, permissionLabel, planLabel, roleLabel, sortPermissions } from '@/lib/labels';
import type { components } from '@/types/api';

type Me = components['schemas']['MeResponse'];

/** Who is signed in, where, and what their role lets them do. */
export function AccountProfile({ me }: { me: Me }) {
  const { user, tenant } = me;
  return (
    <section className="panel stack" aria-labelledby="account-who">
      <h2 id="account-who">Signed in as</h2>
      <dl className="stack">
        <Item term="Email">{user.email}</Item>
        <Item term="Name">{user.name || <span className="muted">not set</span>}</Item>
        <Item term="Role">{me.platform_admin ? OPERATOR_LABEL : user.role ? roleLabel(user.role) : '—'}</Item>
        {tenant && (
          <Item term="Workspace">
            {tenant.name} <span className="muted">({tenant.slug})</span>{' '}
            <span className="badge">{planLabel(tenant.plan)}</span>
          </Item>
        )}
        {!me.platform_admin && (
          <Item term="Permissions">
            <ul className="permission-list">
              {sortPermissions(me.permissions).map((permission) => (
                <li key={permission}>{permissionLabel(permission)}</li>
              ))}
            </ul>
          </Item>
        )}
      </dl>
    </section>
  );
}

function Item({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt className="muted">{term}</dt>
      <dd style={{ margin: 0 }}>{children}</dd>
    </div>
  );
}
