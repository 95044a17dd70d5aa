import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { ErrorAlert, SelectField, TextArea, TextField } from '@/components/ui';
import type { Catalog } from '@/lib/catalog';
import type { components } from '@/types/api';
import type { Agent, AgentFields } from '../api/list-agents';
import '../agents.css';

type ProviderKind = components['schemas']['ProviderKind'];

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

const newAgent = (limits: Catalog['limits']['agent']): FormValues => ({
  name: '',
  description: '',
  systemPrompt: 'You are a helpful assistant. Answer in Markdown.',
  provider: '',
  model: '',
  temperature: '',
  maxOutputTokens: String(limits.max_output_tokens.default ?? limits.max_output_tokens.min),
  tools: [],
  maxSteps: String(limits.max_steps.default ?? limits.max_steps.min),
  starters: '',
});

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
  /** The providers and the limits the server holds an agent to. */
  catalog: Catalog;
  /** A note shown under a tool's checkbox, e.g. where `http_get` may fetch from. */
  toolHints?: Partial<Record<string, ReactNode>>;
  onSubmit: (fields: AgentFields) => void;
  busy: boolean;
  error: unknown;
}

/** The create and edit form: sends everything on create, only the changes on edit. */
export function AgentForm({ agent, toolNames, catalog, toolHints = {}, onSubmit, busy, error }: Props) {
  const limits = catalog.limits.agent;
  const [values, setValues] = useState<FormValues>(() => (agent ? valuesOf(agent) : newAgent(limits)));
  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) => setValues((v) => ({ ...v, [key]: value }));
  // An agent may use a tool this user cannot list (a tenant tool, seen by admins only): keep offering it.
  const offered = [...new Set([...toolNames, ...values.tools])];
  const hintId = useId();

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
        maxLength={limits.name_chars}
        value={values.name}
        onChange={(e) => set('name', e.target.value)}
      />
      <TextField
        label="Description"
        maxLength={limits.description_chars}
        value={values.description}
        onChange={(e) => set('description', e.target.value)}
      />
      <TextArea
        label="System prompt"
        rows={6}
        maxLength={limits.system_prompt_chars}
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
        {catalog.providers.map((p) => (
          <option key={p.provider} value={p.provider}>
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
          hint={`${limits.temperature.min} to ${limits.temperature.max}; empty for the provider's default.`}
          type="number"
          min={limits.temperature.min}
          max={limits.temperature.max}
          step={0.1}
          inputMode="decimal"
          value={values.temperature}
          onChange={(e) => set('temperature', e.target.value)}
        />
        <TextField
          label="Max output tokens"
          hint={`${limits.max_output_tokens.min} to ${limits.max_output_tokens.max}.`}
          type="number"
          required
          min={limits.max_output_tokens.min}
          max={limits.max_output_tokens.max}
          value={values.maxOutputTokens}
          onChange={(e) => set('maxOutputTokens', e.target.value)}
        />
        <TextField
          label="Max steps"
          hint={`Model calls per turn, ${limits.max_steps.min} to ${limits.max_steps.max}.`}
          type="number"
          required
          min={limits.max_steps.min}
          max={limits.max_steps.max}
          value={values.maxSteps}
          onChange={(e) => set('maxSteps', e.target.value)}
        />
      </div>
      <fieldset className="choices">
        <legend>Tools</legend>
        {values.tools.length >= limits.tools && (
          <small className="muted">An agent uses at most {limits.tools} tools.</small>
        )}
        {offered.map((tool) => (
          <div key={tool}>
            <label className="choice">
              <input
                type="checkbox"
                aria-describedby={toolHints[tool] ? `${hintId}-${tool}` : undefined}
                checked={values.tools.includes(tool)}
                disabled={!values.tools.includes(tool) && values.tools.length >= limits.tools}
                onChange={(e) =>
                  set('tools', e.target.checked ? [...values.tools, tool] : values.tools.filter((t) => t !== tool))
                }
              />
              {tool}
            </label>
            {toolHints[tool] && (
              <small id={`${hintId}-${tool}`} className="tool-hint muted">
                {toolHints[tool]}
              </small>
            )}
          </div>
        ))}
      </fieldset>
      <TextArea
        label="Conversation starters"
        hint={`One per line, at most ${limits.conversation_starters}.`}
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
