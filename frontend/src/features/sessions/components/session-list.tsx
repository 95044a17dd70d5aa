import '../sessions.css';
import { useMemo, useState } from 'react';
import { NavLink } from 'react-router';
import { LoadMore } from '@/components/paged-table';
import { EmptyState, ErrorAlert, Loading, RelativeTime } from '@/components/ui';
import { formatCount } from '@/lib/format';
import { useDeleteSession } from '../api/delete-session';
import { type Session, useSessions } from '../api/get-sessions';
import { useRenameSession } from '../api/rename-session';

interface SessionListProps {
  /** Where a session opens: `/chat/:id` to go on talking, `/history/:id` to read. */
  linkTo: (sessionId: string) => string;
  /** Rename and delete need `sessions_write`. */
  canEdit: boolean;
  /** Called after the session shown now was deleted. */
  onDeleted?: (sessionId: string) => void;
  compact?: boolean;
}

/** Conversations, newest first, filtered by title as you type. */
export function SessionList({ linkTo, canEdit, onDeleted, compact }: SessionListProps) {
  const sessions = useSessions();
  const [search, setSearch] = useState('');
  const all = useMemo(() => sessions.data?.pages.flatMap((page) => page.items) ?? [], [sessions.data]);
  const needle = search.trim().toLowerCase();
  const shown = needle ? all.filter((session) => session.title.toLowerCase().includes(needle)) : all;

  return (
    <section className="session-list stack" aria-label="Conversations">
      <input
        type="search"
        aria-label="Search conversations"
        placeholder="Search conversations"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      <ErrorAlert error={sessions.error} />
      {sessions.isPending ? (
        <Loading />
      ) : shown.length === 0 ? (
        <EmptyState title={needle ? 'No conversation matches' : 'No conversations yet'} />
      ) : (
        <ul className="sessions">
          {shown.map((session) => (
            <SessionItem
              key={session.session_id}
              session={session}
              href={linkTo(session.session_id)}
              canEdit={canEdit}
              compact={compact}
              onDeleted={onDeleted}
            />
          ))}
        </ul>
      )}
      <LoadMore query={sessions} label="Load older conversations" />
    </section>
  );
}

function SessionItem({
  session,
  href,
  canEdit,
  compact,
  onDeleted,
}: {
  session: Session;
  href: string;
  canEdit: boolean;
  compact?: boolean;
  onDeleted?: (id: string) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(session.title);
  const rename = useRenameSession();
  const remove = useDeleteSession();

  if (editing) {
    return (
      <li className="session-item">
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            rename.mutate(
              { sessionId: session.session_id, title: title.trim() },
              { onSuccess: () => setEditing(false) },
            );
          }}
        >
          <input
            aria-label="New title"
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            required
            maxLength={200}
            autoFocus
          />
          <button type="submit" disabled={rename.isPending}>
            Save
          </button>
          <button type="button" className="secondary" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
        <ErrorAlert error={rename.error} />
      </li>
    );
  }
  return (
    <li className="session-item">
      <NavLink to={href} className="session-link">
        <span className="session-title">{session.title || 'Untitled'}</span>
        {!compact && (
          <span className="muted session-meta">
            {formatCount(session.message_count, 'message')} · <RelativeTime iso={session.updated_at} />
          </span>
        )}
      </NavLink>
      {canEdit && (
        <span className="session-actions">
          <button
            type="button"
            className="link"
            aria-label={`Rename ${session.title}`}
            onClick={() => setEditing(true)}
          >
            Rename
          </button>
          <button
            type="button"
            className="link danger-link"
            aria-label={`Delete ${session.title}`}
            disabled={remove.isPending}
            onClick={() =>
              window.confirm(`Delete “${session.title}” and its messages?`) &&
              remove.mutate(session.session_id, { onSuccess: () => onDeleted?.(session.session_id) })
            }
          >
            Delete
          </button>
        </span>
      )}
      <ErrorAlert error={remove.error} />
    </li>
  );
}
