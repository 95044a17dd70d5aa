import { Link, useLocation, useNavigate } from 'react-router';
import { EmptyState } from '@/components/ui';
import { AcceptInviteForm } from '@/features/auth/components/accept-invite-form';
import { AuthPage } from './auth-page';

/** `/accept-invite#token=…`: the link an admin sends with an invite. */
export function AcceptInviteRoute() {
  const navigate = useNavigate();
  const token = new URLSearchParams(useLocation().hash.slice(1)).get('token');
  return (
    <AuthPage title="Join your workspace">
      {token ? (
        <AcceptInviteForm token={token} onAccepted={() => navigate('/', { replace: true })} />
      ) : (
        <EmptyState title="This invite link is incomplete">
          <p>
            Ask your admin for a new one, or <Link to="/login">log in</Link>.
          </p>
        </EmptyState>
      )}
    </AuthPage>
  );
}
