// Errors as the API reports them (RFC 9457 problem+json), so screens can
// say what went wrong and, for quotas and lock-outs, when to try again.
import { formatDuration, formatMoment, formatNumber } from '@/lib/format';
import { capitalize, quotaLabel } from '@/lib/labels';
import type { components } from '@/types/api';

export type Problem = components['schemas']['Problem'];

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Partial<Problem>;
  /** The `Retry-After` header in seconds, when the server sent one (429s). */
  readonly retryAfter?: number;

  constructor(status: number, problem: Partial<Problem>, headers?: Headers) {
    super(problem.detail || problem.title || `request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code ?? (status === 0 ? 'network' : 'unknown');
    this.problem = problem;
    const retryAfter = Number(headers?.get('retry-after') ?? Number.NaN);
    if (Number.isFinite(retryAfter)) this.retryAfter = retryAfter;
  }

  get isQuota(): boolean {
    return this.code.startsWith('quota_exceeded');
  }
}

/** Reads a failed response's problem body, tolerating a body that is not JSON. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  const problem = await response.json().catch(() => ({ title: response.statusText }));
  return new ApiError(response.status, problem as Partial<Problem>, response.headers);
}

/**
 * The server writes details lower case, without a full stop, for logs as much
 * as for people ("invalid email or password"): on screen they are sentences.
 */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const whole = /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
  // A field's name (`base_url must be https`) is left as the API spells it.
  return /^[a-z]+\b(?![_.:(])/.test(whole) ? capitalize(whole) : whole;
}

// The lock-out's detail, as shared/core/src/http/error.rs words it (AppError::RateLimited).
const LOCKED_OUT = /^too many attempts; try again in (\d+) seconds?$/;

/** "Try again in 5 min 30 s (2:35 PM)." — the wait, and for a long one the time it ends. */
function tryAgainIn(seconds: number): string {
  const at = seconds >= 60 ? ` (${formatMoment(new Date(Date.now() + seconds * 1000).toISOString())})` : '';
  return `Try again in ${formatDuration(seconds)}${at}.`;
}

function describeQuota(error: ApiError): string {
  const { quota, limit, reset_at } = error.problem;
  const name = quota ?? error.code.split('.')[1] ?? '';
  const head = `Quota reached: ${quotaLabel(name)} (limit ${limit == null ? '?' : formatNumber(limit)}).`;
  if (reset_at) {
    const wait = (new Date(reset_at).getTime() - Date.now()) / 1000;
    return `${head} It resets in ${formatDuration(wait)} (${formatMoment(reset_at)}).`;
  }
  // A streaming slot frees as soon as one of the tenant's answers ends (the server's Retry-After is 1).
  if (name === 'concurrent_turns') return `${head} Try again when one of the answers in progress has finished.`;
  return head;
}

/** One line a person can act on. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.isQuota) return describeQuota(error);
    const detail = error.problem.detail ?? '';
    const locked = LOCKED_OUT.exec(detail);
    if (locked) return `Too many attempts. ${tryAgainIn(error.retryAfter ?? Number(locked[1]))}`;
    const text = sentence(error.message);
    return error.retryAfter !== undefined && error.status === 429 ? `${text} ${tryAgainIn(error.retryAfter)}` : text;
  }
  if (error instanceof Error) return sentence(error.message);
  return 'Something went wrong.';
}
