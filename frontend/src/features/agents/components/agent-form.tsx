import { type FormEvent, useState } from 'react';
import { ErrorAlert, SelectField, TextArea, TextField } from '@/components/ui';
import { PROVIDERS } from '@/lib/labels';
import type { components } from '@/types/api';

type ProviderKind = components['schemas']['ProviderKind'];

import type { Agent, AgentFields } from '../api/list-agents';

/** What the inputs hold: text, as typed, until the form is sent. */
interface FormValues {
  name: string;
  description: string;
  systemPrompt: string;
  provider: ProviderKind | '';
  model: string;
  temperature: string;
  maxOutputTokens: string;
  tools: string[];
  maxSteps: string;
  starters: string;
}

const NEW_AGENT: FormValues = {
  name: '',
  description: '',
  systemPrompt: 'You are a helpful assistant. Answer in Markdown.',
  provider: '',
  model: '',
  temperature: '',
  maxOutputTokens: '1024',
  tools: [],
  maxSteps: '6',
  starters: '',
};

function valuesOf(agent: Agent): FormValues {
  return {
    name: agent.name,
    description: agent.description,
    systemPrompt: agent.system_prompt,
    provider: agent.provider ?? '',
    model: agent.model ?? '',
    temperature: agent.temperature == null ? '' : String(agent.temperature),
    maxOutputTokens: String(agent.max_output_tokens),
    tools: agent.tools,
    maxSteps: String(agent.max_steps),
    starters: agent.conversation_starters.join('\n'),
  };
}

/** The request body; empty overrides become `null`, which means "use the tenant's default". */
function fieldsOf(v: FormValues): Required<AgentFields> {
  return {
    name: v.name.trim(),
    description: v.description,
    system_prompt: v.systemPrompt,
    provider: v.provider || null,
    model: v.model.trim() || null,
    temperature: v.temperature.trim() === '' ? null : Number(v.temperature),
    max_output_tokens: Number(v.maxOutputTokens),
    tools: [...v.tools].sort(),
    max_steps: Number(v.maxSteps),
    conversation_starters: v.starters
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean),
  };
}

/** Only the fields whose value differs from the stored agent's. */
function changedFields(before: Agent, after: Required<AgentFields>): AgentFields {
  const base = fieldsOf(valuesOf(before));
  const changed: Record<string, unknown> = {};
  for (const key of Object.keys(after) as (keyof AgentFields)[]) {
    if (JSON.stringify(after[key]) !== JSON.stringify(base[key])) changed[key] = after[key];
  }
  return changed as AgentFields;
}

interface Props {
  /** The agent being edited; absent for a new one. */
  agent?: Agent;
  /** Tool names offered as checkboxes (built-ins and the tenant's own). */
  toolNames: readonly string[];
  onSubmit: (fields: AgentFields) => void;
  busy: boolean;
  error: unknown;
}

/** The create and edit form: sends everything on create, only the changes on edit. */
export function AgentForm({ agent, toolNames, onSubmit, busy, error }: Props) {
  const [values, setValues] = useState<FormValues>(() => (agent ? valuesOf(agent) : NEW_AGENT));
  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) => setValues((v) => ({ ...v, [key]: value }));
  // An agent may use a tool this user cannot list (a tenant tool, seen by admins only): keep offering it.
  const offered = [...new Set([...toolNames, ...values.tools])];

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const fields = fieldsOf(values);
    onSubmit(agent ? changedFields(agent, fields) : fields);
  };

  return (
    <form onSubmit={submit} className="stack" aria-label={agent ? 'Edit agent' : 'New agent'}>
      <ErrorAlert error={error} />
      <TextField
        label="Name"
        required
        maxLength={100}
        value={values.name}
        onChange={(e) => set('name', e.target.value)}
      />
      <TextField
        label="Description"
        maxLength={500}
        value={values.description}
        onChange={(e) => set('description', e.target.value)}
      />
      <TextArea
        label="System prompt"
        rows={6}
        maxLength={20_000}
        value={values.systemPrompt}
        onChange={(e) => set('systemPrompt', e.target.value)}
      />
      <SelectField
        label="Provider"
        hint="Overrides the workspace's provider; it must be one configured in LLM settings."
        value={values.provider}
        onChange={(e) => set('provider', e.target.value as ProviderKind | '')}
      >
        <option value="">Workspace default</option>
        {PROVIDERS.map((p) => (
          <option key={p.value} value={p.value}>
            {p.label}
          </option>
        ))}
      </SelectField>
      <TextField
        label="Model"
        hint="Leave empty for the provider's default model."
        value={values.model}
        onChange={(e) => set('model', e.target.value)}
      />
      <div className="row">
        <TextField
          label="Temperature"
          hint="0 to 2; empty for the provider's default."
          type="number"
          min={0}
          max={2}
          step={0.1}
          inputMode="decimal"
          value={values.temperature}
          onChange={(e) => set('temperature', e.target.value)}
        />
        <TextField
          label="Max output tokens"
          hint="16 to 16384."
          type="number"
          required
          min={16}
          max={16_384}
          value={values.maxOutputTokens}
          onChange={(e) => set('maxOutputTokens', e.target.value)}
        />
        <TextField
          label="Max steps"
          hint="Model calls per turn, 1 to 20."
          type="number"
          required
          min={1}
          max={20}
          value={values.maxSteps}
          onChange={(e) => set('maxSteps', e.target.value)}
        />
      </div>
      <fieldset className="choices">
        <legend>Tools</legend>
        {offered.map((tool) => (
          <label key={tool} className="choice">
            <input
              type="checkbox"
              checked={values.tools.includes(tool)}
              onChange={(e) =>
                set('tools', e.target.checked ? [...values.tools, tool] : values.tools.filter((t) => t !== tool))
              }
            />
            {tool}
          </label>
        ))}
      </fieldset>
      <TextArea
        label="Conversation starters"
        hint="One per line, at most 4."
        rows={4}
        value={values.starters}
        onChange={(e) => set('starters', e.target.value)}
      />
      <div className="row">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : agent ? 'Save changes' : 'Create agent'}
        </button>
      </div>
    </form>
  );
}
