// Errors as the API reports them (RFC 9457 problem+json), so screens can
// say what went wrong and, for quotas, when it resets.
import { quotaLabel } from '@/lib/labels';
import type { components } from '@/types/api';

export type Problem = components['schemas']['Problem'];

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Partial<Problem>;

  constructor(status: number, problem: Partial<Problem>) {
    super(problem.detail || problem.title || `request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code ?? (status === 0 ? 'network' : 'unknown');
    this.problem = problem;
  }

  get isQuota(): boolean {
    return this.code.startsWith('quota_exceeded');
  }
}

/** Reads a failed response's problem body, tolerating a body that is not JSON. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  const problem = await response.json().catch(() => ({ title: response.statusText }));
  return new ApiError(response.status, problem as Partial<Problem>);
}

/** One line a person can act on. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.isQuota) {
      const { quota, limit, reset_at } = error.problem;
      const when = reset_at ? ` It resets ${formatDateTime(reset_at)}.` : '';
      const name = quota ?? error.code.split('.')[1] ?? '';
      return `Quota reached: ${quotaLabel(name)} (limit ${limit?.toLocaleString() ?? '?'}).${when}`;
    }
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}

export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
