import { type FormEvent, useState } from 'react';
import { ErrorAlert, TextField } from '@/components/ui';
import { type TenantChoice, useLogin, useLoginWithTenant } from '../api/login';

/** Email and password; when they open several workspaces, a choice of tenant. */
export function LoginForm({ onSignedIn }: { onSignedIn: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [choices, setChoices] = useState<TenantChoice[] | null>(null);
  const [tenantId, setTenantId] = useState('');
  const login = useLogin();
  const withTenant = useLoginWithTenant();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (choices) {
      await withTenant.mutateAsync({ email, password, tenant_id: tenantId }).then(onSignedIn, () => undefined);
      return;
    }
    const answer = await login.mutateAsync({ email, password }).catch(() => undefined);
    if (answer === null) onSignedIn();
    else if (answer) {
      setChoices(answer.choices);
      setTenantId(answer.choices[0]?.tenant_id ?? '');
    }
  };

  const busy = login.isPending || withTenant.isPending;
  return (
    <form onSubmit={submit} className="stack" aria-label="Log in">
      <ErrorAlert error={login.error ?? withTenant.error} />
      {choices ? (
        <fieldset className="choices">
          <legend>Your email opens several workspaces. Choose one:</legend>
          {choices.map((choice) => (
            <label key={choice.tenant_id} className="choice">
              <input
                type="radio"
                name="tenant"
                value={choice.tenant_id}
                checked={tenantId === choice.tenant_id}
                onChange={() => setTenantId(choice.tenant_id)}
              />
              {choice.name} <span className="muted">({choice.slug})</span>
            </label>
          ))}
        </fieldset>
      ) : (
        <>
          <TextField
            label="Email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <TextField
            label="Password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Signing in…' : choices ? 'Continue' : 'Log in'}
      </button>
    </form>
  );
}
