import { type FormEvent, useState } from 'react';
import { ErrorAlert, SecretOnce, TextField } from '@/components/ui';
import { useCreateApiKey } from '../api/create-api-key';
import type { Scope } from '../api/get-api-keys';
import '../api-keys.css';
import { SCOPES } from './scopes';

/** A chosen date means "usable through that day" in the admin's time zone. */
function endOfDay(date: string): string {
  return new Date(`${date}T23:59:59`).toISOString();
}

const today = () => new Date().toLocaleDateString('en-CA'); // YYYY-MM-DD, local

/** Creates a key with a name, scopes and an optional expiry; then shows the key once. */
export function CreateApiKeyForm() {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['chat']);
  const [expires, setExpires] = useState('');
  // The only place the full key lives: not a store, not the query cache.
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const create = useCreateApiKey();

  const toggle = (scope: Scope, on: boolean) =>
    setScopes((current) => (on ? [...current, scope] : current.filter((s) => s !== scope)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await create
      .mutateAsync({ name: name.trim(), scopes, expires_at: expires ? endOfDay(expires) : null })
      .catch(() => undefined);
    if (!answer) return;
    setCreated({ name: answer.api_key.name, secret: answer.key });
    // Drop the mutation's copy of the key (gcTime 0 removes it from the cache too).
    create.reset();
    setName('');
    setScopes(['chat']);
    setExpires('');
  };

  if (created) {
    const intro = (
      <>
        Key <strong>{created.name}</strong> is ready. Copy it now.
      </>
    );
    return (
      <SecretOnce
        label="New API key"
        intro={intro}
        secret={created.secret}
        copyLabel="Copy key"
        onDone={() => setCreated(null)}
      />
    );
  }

  return (
    <form onSubmit={submit} className="stack" aria-label="Create an API key">
      <ErrorAlert error={create.error} />
      <TextField
        label="Name"
        required
        maxLength={100}
        autoComplete="off"
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <fieldset className="choices">
        <legend>Scopes</legend>
        {SCOPES.map((scope) => (
          <label key={scope.value} className="choice">
            <input
              type="checkbox"
              value={scope.value}
              checked={scopes.includes(scope.value)}
              onChange={(e) => toggle(scope.value, e.target.checked)}
            />
            <code>{scope.value}</code> <span className="muted">{scope.hint}</span>
          </label>
        ))}
      </fieldset>
      <TextField
        label="Expires"
        type="date"
        min={today()}
        hint="Optional. The key works through this day; empty means it does not expire."
        value={expires}
        onChange={(e) => setExpires(e.target.value)}
      />
      <div className="row">
        <button type="submit" disabled={create.isPending || scopes.length === 0}>
          {create.isPending ? 'Creating…' : 'Create key'}
        </button>
        {scopes.length === 0 && <small className="muted">Choose at least one scope.</small>}
      </div>
    </form>
  );
}
