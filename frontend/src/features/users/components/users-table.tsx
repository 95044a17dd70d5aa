import { EmptyState, ErrorAlert, Loading } from '@/components/ui';
import { useUsers } from '../api/get-users';
import { UserRow } from './user-row';
import '../users.css';

/** Every user of the tenant; `currentUserId` marks the signed-in admin's own row. */
export function UsersTable({ currentUserId }: { currentUserId: string }) {
  const users = useUsers();
  if (users.isPending) return <Loading label="Loading users…" />;
  if (users.isLoadingError) return <ErrorAlert error={users.error} />;
  const items = users.data.pages.flatMap((page) => page.items);
  if (items.length === 0) return <EmptyState title="No users yet" />;

  return (
    <div className="stack">
      <div className="table-wrap">
        <table className="users-table">
          <caption className="sr-only">Users</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((user) => (
              <UserRow key={user.user_id} user={user} isSelf={user.user_id === currentUserId} />
            ))}
          </tbody>
        </table>
      </div>
      {users.isFetchNextPageError && <ErrorAlert error={users.error} />}
      {users.hasNextPage && (
        <button type="button" className="secondary" disabled={users.isFetchingNextPage} onClick={() => users.fetchNextPage()}>
          {users.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}
