import { type FormEvent, useState } from 'react';
import { ConfirmButton, ErrorAlert, SelectField, TextField } from '@/components/ui';
import type { ProviderPreset } from '@/lib/catalog';
import type { components } from '@/types/api';
import type { LlmSettings } from '../api/get-llm-settings';
import { type PutLlm, usePutLlmSettings } from '../api/put-llm-settings';

type ProviderKind = components['schemas']['ProviderKind'];

/**
 * Provider, model, base URL and a write-only API key. The key lives only in
 * this component's state and is sent only when typed: the stored one is never
 * read back, only whether one is set and its last four characters. A changed
 * base URL needs the key typed again.
 */
export function LlmSettingsForm({
  settings,
  providers,
  onSaved,
}: {
  settings: LlmSettings;
  /** Every provider the server accepts, with its presets (the catalog's). */
  providers: ProviderPreset[];
  onSaved: (what: string) => void;
}) {
  const [provider, setProvider] = useState(settings.provider);
  const [model, setModel] = useState(settings.model);
  const [baseUrl, setBaseUrl] = useState(settings.base_url ?? '');
  const [apiKey, setApiKey] = useState('');
  const put = usePutLlmSettings();

  const offline = provider === 'offline';
  const preset = providers.find((p) => p.provider === provider);
  const needsBaseUrl = preset?.needs_base_url ?? false;
  const needsKey = preset?.needs_api_key ?? false;
  // Each provider keeps its own key, so what is stored describes the saved provider only.
  const storedKey = settings.api_key_set && provider === settings.provider;
  // A stored key was given for one address: the server never sends it to another, so a new base URL needs it again.
  const keyForNewUrl = storedKey && !offline && baseUrl.trim() !== (settings.base_url ?? '');

  // Another provider's model and address mean nothing to this one: start from its defaults.
  const choose = (next: ProviderKind) => {
    const saved = next === settings.provider;
    setProvider(next);
    setModel(saved ? settings.model : '');
    setBaseUrl(saved ? (settings.base_url ?? '') : '');
  };

  const send = (body: PutLlm, what: string) =>
    put.mutateAsync(body).then(
      () => {
        setApiKey('');
        onSaved(what);
      },
      () => undefined, // shown by the ErrorAlert
    );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body: Partial<PutLlm> = { provider };
    if (model.trim()) body.model = model.trim();
    if (!offline && baseUrl.trim()) body.base_url = baseUrl.trim();
    if (!offline && apiKey) body.api_key = apiKey; // empty: keep the stored key
    // The form requires a base URL where the provider needs one.
    void send(body as PutLlm, 'Settings saved.');
  };

  const removeKey = () =>
    void send(
      // The saved settings hold a base URL wherever the provider needs one.
      { provider: settings.provider, model: settings.model, base_url: settings.base_url, api_key: '' } as PutLlm,
      'API key removed.',
    );

  return (
    <form onSubmit={submit} className="stack" aria-label="LLM settings">
      <ErrorAlert error={put.error} />
      <SelectField label="Provider" value={provider} onChange={(e) => choose(e.target.value as ProviderKind)}>
        {providers.map((p) => (
          <option key={p.provider} value={p.provider}>
            {p.label}
          </option>
        ))}
      </SelectField>
      <TextField
        label="Model"
        hint="Leave empty for the provider's default model."
        autoComplete="off"
        spellCheck={false}
        value={model}
        onChange={(e) => setModel(e.target.value)}
      />
      {!offline && (
        <TextField
          label="Base URL"
          type="url"
          required={needsBaseUrl}
          hint={
            needsBaseUrl
              ? 'The server’s OpenAI-compatible API, e.g. https://llm.example.com/v1. It must be https and public.'
              : 'Optional: leave empty for the provider’s standard address.'
          }
          autoComplete="off"
          spellCheck={false}
          value={baseUrl}
          onChange={(e) => setBaseUrl(e.target.value)}
        />
      )}
      {!offline && (
        <TextField
          label="API key"
          type="password"
          // "new-password" keeps browsers from filling in the user's own login password.
          autoComplete="new-password"
          spellCheck={false}
          required={keyForNewUrl}
          hint={
            keyForNewUrl
              ? 'The base URL changed: enter the API key again. The stored key is never sent to a new address.'
              : storedKey
                ? `A key is set, ending in …${settings.api_key_last4 ?? ''}. Leave empty to keep it.`
                : `${needsKey ? 'Required for this provider.' : 'Optional for this provider.'} Leave empty to keep a key stored for it, if any.`
          }
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
        />
      )}
      <div className="row">
        <button type="submit" disabled={put.isPending}>
          {put.isPending ? 'Saving…' : 'Save'}
        </button>
        {storedKey && (
          <ConfirmButton
            question="Remove the stored API key? Chats that need it will fail until a new one is set."
            disabled={put.isPending}
            onConfirm={removeKey}
          >
            Remove key
          </ConfirmButton>
        )}
      </div>
    </form>
  );
}
