import { useState } from 'react';
import { ErrorAlert, Loading, Notice } from '@/components/ui';
import { useCatalog } from '@/lib/catalog';
import { useLlmSettings } from '../api/get-llm-settings';
import { ConnectionTest } from './connection-test';
import { LlmSettingsForm } from './llm-settings-form';

/** The tenant's LLM provider: the settings form and a connection test. */
export function LlmSettingsPanel() {
  const settings = useLlmSettings();
  const catalog = useCatalog();
  const [saved, setSaved] = useState<string | null>(null);

  if (settings.isPending || catalog.isPending) return <Loading />;
  if (settings.isError) return <ErrorAlert error={settings.error} />;
  if (catalog.isError) return <ErrorAlert error={catalog.error} />;

  // A save changes `updated_at`: the form restarts from what was stored
  // (the default model filled in, the typed key gone) and an old test result is dropped.
  const version = settings.data.updated_at ?? 'never';
  return (
    <div className="stack">
      {saved && <Notice>{saved}</Notice>}
      <div className="panel">
        <LlmSettingsForm key={version} settings={settings.data} providers={catalog.data.providers} onSaved={setSaved} />
      </div>
      <div className="panel">
        <ConnectionTest key={version} />
      </div>
    </div>
  );
}
