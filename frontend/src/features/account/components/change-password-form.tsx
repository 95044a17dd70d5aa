import { type FormEvent, useState } from 'react';
import { ErrorAlert, Notice, TextField } from '@/components/ui';
import { useChangePassword } from '../api/change-password';

/** Current and new password; on success this tab stays signed in with the new tokens. */
export function ChangePasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [done, setDone] = useState(false);
  const change = useChangePassword();
  const mismatch = repeat !== '' && repeat !== next;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (mismatch) return;
    setDone(false);
    change.mutateAsync({ current_password: current, new_password: next }).then(
      () => {
        setCurrent('');
        setNext('');
        setRepeat('');
        setDone(true);
        change.reset(); // drop the passwords the mutation still holds
      },
      () => undefined, // shown by the ErrorAlert
    );
  };

  return (
    <section className="panel stack" aria-labelledby="account-password">
      <h2 id="account-password">Change password</h2>
      <form onSubmit={submit} className="stack" aria-label="Change password">
        <ErrorAlert error={change.error} />
        {done && <Notice>Password changed. Your other sessions have been signed out.</Notice>}
        <TextField
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
        />
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          hint="At least 10 characters, not a common password."
          required
          minLength={10}
          value={next}
          onChange={(e) => setNext(e.target.value)}
        />
        <TextField
          label="Repeat new password"
          type="password"
          autoComplete="new-password"
          required
          error={mismatch ? 'The two new passwords differ.' : undefined}
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
        />
        <div className="row">
          <button type="submit" disabled={change.isPending || mismatch}>
            {change.isPending ? 'Changing…' : 'Change password'}
          </button>
        </div>
      </form>
    </section>
  );
}
