import { type FormEvent, useId, useState } from 'react';
import { ErrorAlert, TextArea, TextField } from '@/components/ui';
import type { NewTool, TenantTool, ToolFields } from '../api/list-tools';
import { EndpointRules } from './endpoint-rules';
import { EMPTY_PARAMETERS, formatParameters, PARAMETERS_EXAMPLE, parseParameters } from './parameters';

/** What the inputs hold. The secret's value lives only here, and only until the form is sent. */
interface FormValues {
  name: string;
  description: string;
  endpoint: string;
  parameters: string;
  headerName: string;
  headerValue: string;
  removeSecret: boolean;
}

const valuesOf = (tool?: TenantTool): FormValues => ({
  name: tool?.name ?? '',
  description: tool?.description ?? '',
  endpoint: tool?.endpoint ?? '',
  parameters: tool ? formatParameters(tool.parameters) : EMPTY_PARAMETERS,
  headerName: tool?.secret_header_name ?? '',
  headerValue: '',
  removeSecret: false,
});

interface Props {
  /** The tool being edited; absent for a new one. */
  tool?: TenantTool;
  /** Names a tenant tool may not take. */
  builtinNames: readonly string[];
  /** A whole new tool, or only the changed fields of an edited one. */
  onSubmit: (fields: NewTool | ToolFields) => void;
  busy: boolean;
  error: unknown;
}

/** The create and edit form: everything on create, only the changes on edit. */
export function ToolForm({ tool, builtinNames, onSubmit, busy, error }: Props) {
  const [values, setValues] = useState(() => valuesOf(tool));
  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) => setValues((v) => ({ ...v, [key]: value }));
  const rulesId = useId();

  const parsed = parseParameters(values.parameters);
  const nameError = builtinNames.includes(values.name.trim())
    ? `${values.name.trim()} is a built-in tool's name.`
    : undefined;
  const endpointMoved = !!tool && values.endpoint.trim() !== tool.endpoint;
  const headerRenamed = !!tool?.secret_set && values.headerName.trim() !== (tool.secret_header_name ?? '');
  // The server never sends a stored secret to a new address, and a header is always sent with its value.
  const valueRequired =
    !values.removeSecret && (tool?.secret_set ? endpointMoved || headerRenamed : values.headerName.trim() !== '');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if ('error' in parsed || nameError) return;
    const fields: NewTool = {
      name: values.name.trim(),
      description: values.description,
      endpoint: values.endpoint.trim(),
      parameters: parsed.schema,
    };
    const secret = values.headerValue ? { name: values.headerName.trim(), value: values.headerValue } : undefined;
    if (!tool) {
      onSubmit(secret ? { ...fields, secret_header: secret } : fields);
      return;
    }
    const changed: ToolFields = {};
    if (fields.name !== tool.name) changed.name = fields.name;
    if (fields.description !== tool.description) changed.description = fields.description;
    if (fields.endpoint !== tool.endpoint) changed.endpoint = fields.endpoint;
    if (JSON.stringify(fields.parameters) !== JSON.stringify(tool.parameters)) changed.parameters = fields.parameters;
    if (values.removeSecret) changed.secret_header = null;
    else if (secret) changed.secret_header = secret;
    onSubmit(changed);
  };

  return (
    <form onSubmit={submit} className="stack" aria-label={tool ? 'Edit tool' : 'New tool'}>
      <ErrorAlert error={error} />
      <TextField
        label="Name"
        hint="What the model calls it: lowercase letters, digits and underscores, starting with a letter."
        required
        maxLength={64}
        pattern="[a-z][a-z0-9_]*"
        autoComplete="off"
        spellCheck={false}
        error={nameError}
        value={values.name}
        onChange={(e) => set('name', e.target.value)}
      />
      <TextArea
        label="Description"
        hint="Tells the model what the tool does and when to use it."
        required
        rows={3}
        maxLength={1000}
        value={values.description}
        onChange={(e) => set('description', e.target.value)}
      />
      <div className="stack">
        <TextField
          label="Endpoint"
          type="url"
          required
          placeholder="https://api.example.com/tools/order-status"
          autoComplete="off"
          spellCheck={false}
          aria-describedby={rulesId}
          value={values.endpoint}
          onChange={(e) => set('endpoint', e.target.value)}
        />
        <EndpointRules id={rulesId} />
      </div>
      <div className="parameters-editor">
        <TextArea
          label="Parameters (JSON Schema)"
          hint={`The arguments the model passes, as a JSON Schema object, e.g. ${PARAMETERS_EXAMPLE}`}
          rows={8}
          spellCheck={false}
          error={'error' in parsed ? parsed.error : undefined}
          value={values.parameters}
          onChange={(e) => set('parameters', e.target.value)}
        />
      </div>
      <SecretHeaderFields tool={tool} values={values} set={set} valueRequired={valueRequired} moved={endpointMoved} />
      <div className="row">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : tool ? 'Save changes' : 'Create tool'}
        </button>
      </div>
    </form>
  );
}

/** The optional secret header: its name, and a value that is written, replaced or removed but never shown. */
function SecretHeaderFields({
  tool,
  values,
  set,
  valueRequired,
  moved,
}: {
  tool?: TenantTool;
  values: FormValues;
  set: <K extends keyof FormValues>(key: K, value: FormValues[K]) => void;
  valueRequired: boolean;
  moved: boolean;
}) {
  const stored = !!tool?.secret_set;
  const valueHint = values.removeSecret
    ? 'The secret header will be removed when you save.'
    : stored && moved
      ? 'The endpoint changed: enter the value again. A stored secret never follows a new address.'
      : stored
        ? 'Leave empty to keep the stored value; type a new one to replace it.'
        : 'Write-only: once saved, it is never shown again.';
  return (
    <fieldset className="choices">
      <legend>Secret header (optional)</legend>
      <p className="muted">
        {stored ? (
          <>
            <span className="badge">set</span> The <code>{tool?.secret_header_name}</code> header is sent with every
            call. Its value is never shown.
          </>
        ) : (
          'Sent with every call, e.g. an API key your endpoint checks. No secret header is set.'
        )}
      </p>
      <TextField
        label="Header name"
        placeholder="X-Api-Key"
        maxLength={64}
        pattern="[A-Za-z0-9\-]+"
        autoComplete="off"
        spellCheck={false}
        // A value is always sent with its header name.
        required={valueRequired || values.headerValue !== '' || (stored && !values.removeSecret)}
        disabled={values.removeSecret}
        value={values.headerName}
        onChange={(e) => set('headerName', e.target.value)}
      />
      <TextField
        label="Header value"
        type="password"
        // "new-password" keeps browsers from filling in the user's own login password.
        autoComplete="new-password"
        spellCheck={false}
        maxLength={4096}
        required={valueRequired}
        disabled={values.removeSecret}
        hint={valueHint}
        value={values.headerValue}
        onChange={(e) => set('headerValue', e.target.value)}
      />
      {stored && (
        <label className="choice">
          <input
            type="checkbox"
            checked={values.removeSecret}
            onChange={(e) => set('removeSecret', e.target.checked)}
          />
          Remove the secret header
        </label>
      )}
    </fieldset>
  );
}
