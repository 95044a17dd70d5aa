import { Link } from 'react-router';
import { useTenant } from '@/lib/tenant';

/**
 * Where `http_get` may fetch from, for the agent editor: agents reach only the
 * workspace's allowed hosts, and an empty list means nowhere at all.
 * `canEdit`: whether to link to the screen that changes them (admins only).
 */
export function AllowedHostsHint({ canEdit }: { canEdit: boolean }) {
  const tenant = useTenant();
  const hosts = tenant.data?.settings?.allowed_hosts;
  const where = canEdit ? (
    <Link to="/settings/workspace">Workspace settings</Link>
  ) : (
    'Workspace settings (an admin can change them)'
  );
  if (!hosts) return <>The agent can fetch only from the workspace’s allowed hosts, set in {where}.</>;
  if (hosts.length === 0) {
    return <>The workspace allows no hosts yet, so this agent cannot fetch anything: add some in {where}.</>;
  }
  return (
    <>
      The agent can fetch only from the workspace’s allowed hosts ({hosts.join(', ')}), set in {where}.
    </>
  );
}
