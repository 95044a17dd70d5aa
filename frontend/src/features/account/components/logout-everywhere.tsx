import { ConfirmButton, ErrorAlert } from '@/components/ui';
import { useLogoutAll } from '../api/logout-all';

/** Ends every session of this user, on every device, this one included. */
export function LogoutEverywhere({ onLoggedOut }: { onLoggedOut: () => void }) {
  const logoutAll = useLogoutAll();
  return (
    <section className="panel stack" aria-labelledby="account-sessions">
      <h2 id="account-sessions">Sessions</h2>
      <p className="muted">Signed in on a device you no longer use? Log out everywhere, this browser included.</p>
      <ErrorAlert error={logoutAll.error} />
      <div className="row">
        <ConfirmButton
          question="Log out on every device, this one included?"
          disabled={logoutAll.isPending}
          onConfirm={() => logoutAll.mutateAsync().then(onLoggedOut, () => undefined)}
        >
          Log out everywhere
        </ConfirmButton>
      </div>
    </section>
  );
}
