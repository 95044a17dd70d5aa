import { type FormEvent, useState } from 'react';
import { ErrorAlert, TextField } from '@/components/ui';
import { useSignup } from '../api/signup';

/** A URL-safe short name from the workspace name, until the user edits it. */
export function slugFrom(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/^[^a-z]+/, '')
    .slice(0, 40)
    .replace(/-+$/, '');
}

/** A new workspace (tenant) and its first admin. */
export function SignupForm({ onSignedUp }: { onSignedUp: () => void }) {
  const [tenantName, setTenantName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signup = useSignup();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    signup.mutate(
      { tenant_name: tenantName, tenant_slug: slug, name: name || null, email, password },
      { onSuccess: onSignedUp },
    );
  };

  return (
    <form onSubmit={submit} className="stack" aria-label="Sign up">
      <ErrorAlert error={signup.error} />
      <TextField
        label="Workspace name"
        required
        value={tenantName}
        onChange={(e) => {
          setTenantName(e.target.value);
          if (!slugEdited) setSlug(slugFrom(e.target.value));
        }}
      />
      <TextField
        label="Workspace short name"
        hint="Lowercase letters, digits and dashes; 3 to 40 characters."
        required
        pattern="[a-z][a-z0-9]*(-[a-z0-9]+)*"
        minLength={3}
        maxLength={40}
        value={slug}
        onChange={(e) => {
          setSlug(e.target.value);
          setSlugEdited(true);
        }}
      />
      <TextField label="Your name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
      <TextField
        label="Email"
        type="email"
        autoComplete="email"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
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
      <button type="submit" disabled={signup.isPending}>
        {signup.isPending ? 'Creating…' : 'Create workspace'}
      </button>
    </form>
  );
}
