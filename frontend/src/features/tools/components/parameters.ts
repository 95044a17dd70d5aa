// The tool's parameter schema as typed JSON, checked here by the same rules
// the server applies (shared/llm/src/tools/args.rs), so a mistake is shown
// at the field before anything is sent.
import type { NewTool } from '../api/list-tools';

export type ParametersSchema = NonNullable<NewTool['parameters']>;

const TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array'];
const MAX_BYTES = 32 * 1024;

export const EMPTY_PARAMETERS = '{\n  "type": "object",\n  "properties": {}\n}';

export const PARAMETERS_EXAMPLE =
  '{"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The schema, or why it is not one the server accepts. */
export function parseParameters(text: string): { schema: ParametersSchema } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'This is not valid JSON.' };
  }
  if (new TextEncoder().encode(JSON.stringify(value)).length > MAX_BYTES) {
    return { error: 'The schema is larger than 32 KiB.' };
  }
  if (!isObject(value)) return { error: 'The schema must be a JSON object.' };
  if (value.type !== 'object') return { error: 'The schema\'s "type" must be "object".' };
  const properties = value.properties;
  if (!isObject(properties)) return { error: 'The schema\'s "properties" must be an object.' };
  for (const [name, property] of Object.entries(properties)) {
    if (!isObject(property)) return { error: `Property "${name}": its schema must be an object.` };
    if ('type' in property && !TYPES.includes(property.type as string)) {
      return { error: `Property "${name}": "type" must be one of ${TYPES.join(', ')}.` };
    }
    if ('enum' in property && !(Array.isArray(property.enum) && property.enum.length > 0)) {
      return { error: `Property "${name}": "enum" must be a non-empty array.` };
    }
  }
  if ('required' in value) {
    const required = value.required;
    if (!Array.isArray(required) || !required.every((name) => typeof name === 'string')) {
      return { error: '"required" must be an array of property names.' };
    }
    const missing = required.find((name) => !Object.hasOwn(properties, name));
    if (missing !== undefined) return { error: `The required property "${missing}" is not in "properties".` };
  }
  return { schema: value as ParametersSchema };
}

/** How a stored schema is shown for editing. */
export const formatParameters = (schema: unknown) => JSON.stringify(schema, null, 2);
