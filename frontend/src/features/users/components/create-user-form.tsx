import { type FormEvent, useState } from 'react';
import { CopyButton, ErrorAlert, Notice, SecretOnce, SelectField, TextField } from '@/components/ui';
import { ROLES } from '@/lib/labels';
import { useCreateUser } from '../api/create-user';
import type { Role } from '../api/get-users';

type Access = 'invite' | 'password';

/** The one-time invite; it lives only in this panel's parent state and goes with "Done". */
function InviteToken({ email, token, onDone }: { email: string; token: string; onDone: () => void }) {
  // In the fragment, the token never reaches a server's or CDN's access log.
  const link = `${window.location.origin}/accept-invite#token=${encodeURIComponent(token)}`;
  const intro = (
    <>
      <strong>{email}</strong> is invited. Send them this link to choose their password:
    </>
  );
  return (
    <SecretOnce label="Invite token" intro={intro} secret={link} copyLabel="Copy link" onDone={onDone}>
      <CopyButton text={token} label="Copy token" />
    </SecretOnce>
  );
}

/** Adds a user with a role, and either an initial password or an invite. */
export function CreateUserForm() {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('user');
  const [access, setAccess] = useState<Access>('invite');
  const [password, setPassword] = useState('');
  const [invite, setInvite] = useState<{ email: string; token: string } | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const create = useCreateUser();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await create
      .mutateAsync({ email, name: name.trim() || null, role, password: access === 'password' ? password : null })
      .catch(() => undefined);
    if (!answer) return;
    if (answer.invite_token) setInvite({ email: answer.user.email, token: answer.invite_token });
    else setCreated(answer.user.email);
    // Keep the token out of the mutation cache: this component's state is its only copy.
    create.reset();
    setEmail('');
    setName('');
    setPassword('');
  };

  if (invite) return <InviteToken email={invite.email} token={invite.token} onDone={() => setInvite(null)} />;

  return (
    <form onSubmit={submit} className="stack" aria-label="Add a user">
      <ErrorAlert error={create.error} />
      {created && <Notice>{created} can sign in now.</Notice>}
      <TextField
        label="Email"
        type="email"
        autoComplete="off"
        required
        value={email}
        onChange={(e) => {
          setEmail(e.target.value);
          setCreated(null);
        }}
      />
      <TextField label="Name" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />
      <SelectField label="Role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
        {ROLES.map((r) => (
          <option key={r.value} value={r.value}>
            {r.label}
          </option>
        ))}
      </SelectField>
      <fieldset className="choices">
        <legend>How they get in</legend>
        <label className="choice">
          <input
            type="radio"
            name="access"
            value="invite"
            checked={access === 'invite'}
            onChange={() => setAccess('invite')}
          />
          Invite (a one-time link they use to choose a password)
        </label>
        <label className="choice">
          <input
            type="radio"
            name="access"
            value="password"
            checked={access === 'password'}
            onChange={() => setAccess('password')}
          />
          Set an initial password
        </label>
      </fieldset>
      {access === 'password' && (
        <TextField
          label="Initial password"
          type="password"
          autoComplete="new-password"
          hint="At least 10 characters, not a common password."
          required
          minLength={10}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      )}
      <div className="row">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Adding…' : 'Add user'}
        </button>
      </div>
    </form>
  );
}
