import { type FormEvent, useState } from 'react';
import { ErrorAlert, TextField } from '@/components/ui';
import { useAcceptInvite } from '../api/accept-invite';

/** An invited person chooses their password (and name) and is signed in. */
export function AcceptInviteForm({ token, onAccepted }: { token: string; onAccepted: () => void }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const accept = useAcceptInvite();
  const mismatch = again.length > 0 && again !== password;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (mismatch) return;
    accept.mutate({ invite_token: token, password, name: name || null }, { onSuccess: onAccepted });
  };

  return (
    <form onSubmit={submit} className="stack" aria-label="Accept invite">
      <ErrorAlert error={accept.error} />
      <TextField label="Your name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
      <TextField
        label="Password"
        type="password"
        autoComplete="new-password"
        hint="At least 10 characters, not a common password."
        required
        minLength={10}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <TextField
        label="Password again"
        type="password"
        autoComplete="new-password"
        required
        value={again}
        error={mismatch ? 'The two passwords differ.' : undefined}
        onChange={(e) => setAgain(e.target.value)}
      />
      <button type="submit" disabled={accept.isPending || mismatch}>
        {accept.isPending ? 'Joining…' : 'Join the workspace'}
      </button>
    </form>
  );
}
