// What the API's enum values are called on screen, in one place: no screen
// shows a raw identifier (`tenant_manage`, `admin`) where a word will do.
import type { components } from '@/types/api';

type Schemas = components['schemas'];
type Plan = Schemas['Plan'];
type Quota = Schemas['Quota'];
type Role = Schemas['Role'];
type Permission = Schemas['Permission'];
type UserStatus = Schemas['UserStatus'];
type TenantStatus = Schemas['TenantStatus'];

/** The product's name, as index.html and the README title give it. */
export const PRODUCT = 'Agent PaaS';

/** Options for a select, in the order they are offered. */
export type Choice<T extends string> = { value: T; label: string };

/** Falls back to the raw value, so a value added to the API later still shows. */
const lookup =
  <T extends string>(table: Record<T, string>) =>
  (value: string) =>
    table[value as T] ?? value;

const choices = <T extends string>(table: Record<T, string>): Choice<T>[] =>
  (Object.keys(table) as T[]).map((value) => ({ value, label: table[value] }));

const PLAN_LABELS: Record<Plan, string> = { free: 'Free', pro: 'Pro', enterprise: 'Enterprise' };
export const PLANS = choices(PLAN_LABELS);
export const planLabel = lookup(PLAN_LABELS);

const ROLE_LABELS: Record<Role, string> = { admin: 'Admin', user: 'User', viewer: 'Viewer' };
export const ROLES = choices(ROLE_LABELS);
export const roleLabel = lookup(ROLE_LABELS);
/** A platform operator has no tenant role. */
export const OPERATOR_LABEL = 'Platform operator';

const PERMISSION_LABELS: Record<Permission, string> = {
  chat: 'Chat',
  sessions_read: 'Read conversations',
  sessions_write: 'Rename and delete conversations',
  agents_read: 'See agents',
  agents_manage: 'Create and edit agents',
  tenant_read: 'See the workspace',
  tenant_manage: 'Manage the workspace, its LLM settings and usage',
  users_manage: 'Manage users',
  api_keys_manage: 'Manage API keys',
};
export const permissionLabel = lookup(PERMISSION_LABELS);
/** In the order the table above lists them, so every role's list reads the same way. */
export const sortPermissions = (permissions: string[]) => {
  const order = Object.keys(PERMISSION_LABELS);
  return [...permissions].sort((a, b) => order.indexOf(a) - order.indexOf(b));
};

const USER_STATUS_LABELS: Record<UserStatus, string> = {
  invited: 'Invited',
  active: 'Active',
  suspended: 'Suspended',
};
export const userStatusLabel = lookup(USER_STATUS_LABELS);

const TENANT_STATUS_LABELS: Record<TenantStatus, string> = { active: 'Active', suspended: 'Suspended' };
export const tenantStatusLabel = lookup(TENANT_STATUS_LABELS);

/** Mid-sentence; `capitalize` for a heading. */
const QUOTAS: Record<Quota, string> = {
  tokens_month: 'LLM tokens this month',
  sessions_day: 'sessions today',
  users: 'users',
  agents: 'agents',
  tools: 'tools',
  api_keys: 'API keys',
  concurrent_turns: 'chat turns streaming at once',
};

export const quotaLabel = lookup(QUOTAS);

/** What one unit of each quota is called, singular and plural, for counts. */
export const QUOTA_UNITS: Record<Quota, [string, string]> = {
  tokens_month: ['token', 'tokens'],
  sessions_day: ['session', 'sessions'],
  users: ['user', 'users'],
  agents: ['agent', 'agents'],
  tools: ['tool', 'tools'],
  api_keys: ['key', 'keys'],
  concurrent_turns: ['turn', 'turns'],
};

export const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
