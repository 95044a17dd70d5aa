// Every screen in the menu and the permission it needs: the menu and the
// route guards read this one table, so a role never sees what it cannot use.
import type { Me, Permission } from '@/features/auth/api/get-me';
import { can } from '@/features/auth/api/get-me';

export interface NavItem {
  to: string;
  label: string;
  /** A tenant permission, or `platform` for operators. */
  needs: Permission | 'platform';
}

export const NAV: NavItem[] = [
  { to: '/chat', label: 'Chat', needs: 'chat' },
  { to: '/history', label: 'History', needs: 'sessions_read' },
  { to: '/agents', label: 'Agents', needs: 'agents_read' },
  { to: '/tools', label: 'Tools', needs: 'tenant_manage' },
  { to: '/settings/workspace', label: 'Workspace', needs: 'tenant_manage' },
  { to: '/settings/llm', label: 'LLM settings', needs: 'tenant_manage' },
  { to: '/admin/users', label: 'Users', needs: 'users_manage' },
  { to: '/admin/api-keys', label: 'API keys', needs: 'api_keys_manage' },
  { to: '/admin/usage', label: 'Usage', needs: 'tenant_manage' },
  { to: '/platform/tenants', label: 'Tenants', needs: 'platform' },
];

export function allowed(me: Me | undefined, needs: NavItem['needs']): boolean {
  if (needs === 'platform') return !!me?.platform_admin;
  return can(me, needs);
}

/** Where a signed-in person starts: the first screen they may use. */
export function homeFor(me: Me | undefined): string {
  return NAV.find((item) => allowed(me, item.needs))?.to ?? '/account';
}
