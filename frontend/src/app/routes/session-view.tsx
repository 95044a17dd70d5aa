import { Link, useParams } from 'react-router';
import { ErrorAlert, Loading, PageHeader } from '@/components/ui';
import { can, useMe } from '@/features/auth/api/get-me';
import { MessageList } from '@/features/chat/components/message-list';
import { useSessionDetail } from '@/features/sessions/api/get-session';
import { useTranscript } from '@/features/sessions/api/get-transcript';

/** A conversation to read; those who may chat can go on with it. */
export default function SessionViewRoute() {
  const { sessionId } = useParams();
  const me = useMe();
  const session = useSessionDetail(sessionId);
  const transcript = useTranscript(sessionId);
  return (
    <>
      <PageHeader title={session.data?.title ?? 'Conversation'}>
        <Link to="/history" className="button secondary">
          Back to history
        </Link>
        {can(me.data, 'chat') && (
          <Link to={`/chat/${sessionId}`} className="button">
            Continue in chat
          </Link>
        )}
      </PageHeader>
      <ErrorAlert error={session.error ?? transcript.error} />
      {transcript.isPending ? <Loading /> : <MessageList history={transcript.data ?? []} turn={null} />}
    </>
  );
}
