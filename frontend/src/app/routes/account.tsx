import { useNavigate } from 'react-router';
import { ErrorAlert, Loading, PageHeader } from '@/components/ui';
import { AccountProfile } from '@/features/account/components/account-profile';
import { ChangePasswordForm } from '@/features/account/components/change-password-form';
import { LogoutEverywhere } from '@/features/account/components/logout-everywhere';
import { useMe } from '@/features/auth/api/get-me';

export default function AccountRoute() {
  const me = useMe();
  const navigate = useNavigate();
  return (
    <div className="stack">
      <PageHeader title="Your account" />
      {me.isPending ? <Loading /> : me.isError ? <ErrorAlert error={me.error} /> : <AccountProfile me={me.data} />}
      <ChangePasswordForm />
      <LogoutEverywhere onLoggedOut={() => navigate('/login', { replace: true })} />
    </div>
  );
}
