import { PagedTable } from '@/components/paged-table';
import { EmptyState } from '@/components/ui';
import { useUsers } from '../api/get-users';
import { UserRow } from './user-row';
import '../users.css';

/** Every user of the tenant; `currentUserId` marks the signed-in admin's own row. */
export function UsersTable({ currentUserId }: { currentUserId: string }) {
  return (
    <PagedTable
      query={useUsers()}
      caption="Users"
      columns={['Email', 'Name', 'Role', 'Status', 'Created', 'Actions']}
      empty={<EmptyState title="No users yet" />}
      loadingLabel="Loading users…"
      className="users-table"
      row={(user) => <UserRow key={user.user_id} user={user} isSelf={user.user_id === currentUserId} />}
    />
  );
}
