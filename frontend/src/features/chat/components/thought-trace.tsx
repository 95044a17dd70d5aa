import type { Thought } from '../lib/frames';

const LABEL: Record<string, string> = { reasoning: 'Thinking', tool_call: 'Tool call', tool_result: 'Tool result' };

/** The agent's reasoning and tool steps, folded away unless asked for (open while they stream). */
export function ThoughtTrace({ thoughts, live }: { thoughts: Thought[]; live?: boolean }) {
  if (thoughts.length === 0) return null;
  const steps = new Set(thoughts.map((t) => t.step)).size;
  return (
    <details className="thoughts" open={live}>
      <summary>
        {live ? 'Working' : 'Worked'}: {thoughts.length} {thoughts.length === 1 ? 'step' : 'steps'}
        {steps > 1 ? ` over ${steps} rounds` : ''}
      </summary>
      <ol>
        {thoughts.map((thought, index) => (
          <li key={index} className={`thought thought-${thought.kind}`}>
            <span className="badge">{LABEL[thought.kind] ?? thought.kind}</span> <code>{thought.text}</code>
          </li>
        ))}
      </ol>
    </details>
  );
}
