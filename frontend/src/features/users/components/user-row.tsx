import { ConfirmButton, ErrorAlert } from '@/components/ui';
import { formatDate } from '@/lib/format';
import { ROLES, userStatusLabel } from '@/lib/labels';
import { useDeleteUser } from '../api/delete-user';
import type { Role, UserView } from '../api/get-users';
import { useUpdateUser } from '../api/update-user';

/** One user with its controls; `isSelf` locks them, since admins cannot demote, suspend or delete themselves. */
export function UserRow({ user, isSelf }: { user: UserView; isSelf: boolean }) {
  const update = useUpdateUser();
  const remove = useDeleteUser();
  const busy = update.isPending || remove.isPending;
  const who = user.name || user.email;
  const suspended = user.status === 'suspended';
  const error = update.error ?? remove.error;

  return (
    <>
      <tr>
        <td>
          {user.email}
          {isSelf && <span className="muted"> (you)</span>}
        </td>
        <td>{user.name ?? <span className="muted">—</span>}</td>
        <td>
          <select
            aria-label={`Role of ${who}`}
            value={user.role ?? ''}
            disabled={isSelf || busy}
            onChange={(e) => update.mutate({ userId: user.user_id, role: e.target.value as Role })}
          >
            {!user.role && <option value="">—</option>}
            {ROLES.map((role) => (
              <option key={role.value} value={role.value}>
                {role.label}
              </option>
            ))}
          </select>
        </td>
        <td>
          <span className="badge">{userStatusLabel(user.status)}</span>
        </td>
        <td>{formatDate(user.created_at)}</td>
        <td>
          <div className="row">
            {/* An invited user becomes active only by accepting the invite; the server refuses status changes until then. */}
            {user.status === 'invited' ? (
              <span className="muted">Invite pending</span>
            ) : (
              <button
                type="button"
                className="secondary"
                aria-label={`${suspended ? 'Activate' : 'Suspend'} ${who}`}
                disabled={isSelf || busy}
                onClick={() => update.mutate({ userId: user.user_id, status: suspended ? 'active' : 'suspended' })}
              >
                {suspended ? 'Activate' : 'Suspend'}
              </button>
            )}
            <ConfirmButton
              disabled={isSelf || busy}
              question={`Delete ${who}? They lose access at once.`}
              onConfirm={() => remove.mutate(user.user_id)}
            >
              Delete <span className="sr-only">{who}</span>
            </ConfirmButton>
          </div>
        </td>
      </tr>
      {error && (
        <tr>
          <td colSpan={6}>
            <ErrorAlert error={error} />
          </td>
        </tr>
      )}
    </>
  );
}
