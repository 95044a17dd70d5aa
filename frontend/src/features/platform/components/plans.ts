import type { Plan } from '../api/get-tenants';

export const PLANS: { value: Plan; label: string }[] = [
  { value: 'free', label: 'Free' },
  { value: 'pro', label: 'Pro' },
  { value: 'enterprise', label: 'Enterprise' },
];

export const planLabel = (plan: Plan) => PLANS.find((p) => p.value === plan)?.label ?? plan;
