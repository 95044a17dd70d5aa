import { PageHeader } from '@/components/ui';
import { can, useMe } from '@/features/auth/api/get-me';
import { SessionList } from '@/features/sessions/components/session-list';

export default function HistoryRoute() {
  const me = useMe();
  return (
    <>
      <PageHeader title="History" />
      <SessionList linkTo={(id) => `/history/${id}`} canEdit={can(me.data, 'sessions_write')} />
    </>
  );
}
