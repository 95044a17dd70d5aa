// What the API's enum values are called on screen, in one place.
import type { components } from '@/types/api';

type Plan = components['schemas']['Plan'];
type Quota = components['schemas']['Quota'];

export const PLANS: { value: Plan; label: string }[] = [
  { value: 'free', label: 'Free' },
  { value: 'pro', label: 'Pro' },
  { value: 'enterprise', label: 'Enterprise' },
];

export const planLabel = (plan: string) => PLANS.find((p) => p.value === plan)?.label ?? plan;

/** Mid-sentence; `capitalize` for a heading. */
const QUOTAS: Record<Quota, string> = {
  tokens_month: 'LLM tokens this month',
  sessions_day: 'sessions today',
  users: 'users',
  agents: 'agents',
  concurrent_turns: 'chat turns streaming at once',
};

export const quotaLabel = (quota: string) => QUOTAS[quota as Quota] ?? quota;

export const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
