import { PageHeader } from '@/components/ui';
import { LlmSettingsPanel } from '@/features/llm-settings/components/llm-settings-panel';

export default function LlmSettingsRoute() {
  return (
    <div className="stack">
      <PageHeader title="LLM settings" />
      <p className="muted">The model provider your workspace’s chats and agents use, unless an agent overrides it.</p>
      <LlmSettingsPanel />
    </div>
  );
}
