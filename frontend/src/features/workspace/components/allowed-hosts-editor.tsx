import { type KeyboardEvent, useId, useState } from 'react';
import { hostProblem, MAX_HOST_CHARS, MAX_HOSTS, normalizeHost } from './hosts';

/** The hosts the built-in `http_get` tool may fetch from: add one at a time, remove any. */
export function AllowedHostsEditor({ hosts, onChange }: { hosts: string[]; onChange: (hosts: string[]) => void }) {
  const [typed, setTyped] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const id = useId();

  const add = () => {
    const host = normalizeHost(typed);
    const why = hostProblem(host, hosts);
    setProblem(why);
    if (why) return;
    onChange([...hosts, host]);
    setTyped('');
  };
  // Enter adds the host rather than saving the whole form.
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    add();
  };

  return (
    <fieldset className="choices allowed-hosts">
      <legend>Allowed hosts</legend>
      <p className="muted" id={`${id}-rules`}>
        The built-in <code>http_get</code> tool fetches only from these hosts. <code>example.com</code> allows that host
        alone; <code>*.example.com</code> allows its subdomains (not example.com itself); an IP address such as{' '}
        <code>203.0.113.7</code> is written as it is. At most {MAX_HOSTS} hosts, each at most {MAX_HOST_CHARS}{' '}
        characters. The platform’s network rules still apply: https to public addresses, unless the operator allows
        more.
      </p>
      {hosts.length === 0 ? (
        <p>
          <strong>No hosts yet:</strong> agents with <code>http_get</code> cannot fetch anything.
        </p>
      ) : (
        <ul className="host-list" aria-label="Allowed hosts">
          {hosts.map((host) => (
            <li key={host} className="row">
              <code>{host}</code>
              <button
                type="button"
                className="secondary"
                aria-label={`Remove ${host}`}
                onClick={() => onChange(hosts.filter((h) => h !== host))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <p className="muted">
        {hosts.length} of {MAX_HOSTS} hosts.
      </p>
      <div className="field">
        <label htmlFor={id}>Add a host</label>
        <div className="row">
          <input
            id={id}
            className="host-input"
            placeholder="api.example.com"
            autoComplete="off"
            spellCheck={false}
            maxLength={MAX_HOST_CHARS + 16}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? `${id}-problem` : `${id}-rules`}
            value={typed}
            onChange={(e) => {
              setTyped(e.target.value);
              setProblem(null);
            }}
            onKeyDown={onKeyDown}
          />
          <button type="button" className="secondary" onClick={add} disabled={hosts.length >= MAX_HOSTS}>
            Add host
          </button>
        </div>
        {problem && (
          <small id={`${id}-problem`} className="field-error">
            {problem}
          </small>
        )}
      </div>
    </fieldset>
  );
}
