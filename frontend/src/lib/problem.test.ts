import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { formatDateTime, formatMoment } from './format';
import { ApiError, describeError, errorFromResponse, sentence } from './problem';

beforeEach(() => vi.useFakeTimers({ now: new Date('2026-11-25T12:00:00Z') }));
afterEach(() => vi.useRealTimers());

const problemResponse = (status: number, body: object, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });

test("a detail becomes a sentence: capitalised, with a full stop, but a field's name is left as spelt", () => {
  expect(describeError(new ApiError(401, { code: 'invalid_credentials', detail: 'invalid email or password' }))).toBe(
    'Invalid email or password.',
  );
  expect(sentence('The current password is wrong.')).toBe('The current password is wrong.');
  expect(sentence('base_url must be https')).toBe('base_url must be https.');
  expect(sentence('endpoint: not a URL')).toBe('endpoint: not a URL.');
  expect(describeError(new Error('socket closed'))).toBe('Socket closed.');
});

test('the lock-out says how long to wait in minutes and seconds, and until when', async () => {
  // The server's wording, from AppError::RateLimited, with its Retry-After header.
  const error = await errorFromResponse(
    problemResponse(
      429,
      { code: 'too_many_attempts', detail: 'too many attempts; try again in 330 seconds' },
      { 'retry-after': '330' },
    ),
  );
  expect(error.retryAfter).toBe(330);
  const until = formatMoment('2026-11-25T12:05:30Z');
  expect(describeError(error)).toBe(`Too many attempts. Try again in 5 min 30 s (${until}).`);
  // A short wait needs no clock time; without the header, the detail's number is read.
  expect(
    describeError(
      new ApiError(429, { code: 'too_many_attempts', detail: 'too many attempts; try again in 1 seconds' }),
    ),
  ).toBe('Too many attempts. Try again in 1 s.');
});

test('another 429 with Retry-After says when to try again', async () => {
  const error = await errorFromResponse(
    problemResponse(429, { code: 'rate_limit_exceeded', detail: 'slow down' }, { 'retry-after': '90' }),
  );
  expect(describeError(error)).toMatch(/^Slow down\. Try again in 1 min 30 s \(.+\)\.$/);
});

test('a quota says which, its limit, and when it resets, as a wait and a date', () => {
  const tokens = new ApiError(429, {
    code: 'quota_exceeded.tokens_month',
    detail: 'the tokens_month quota of 100000 is used up',
    quota: 'tokens_month',
    limit: 100000,
    reset_at: '2026-12-01T00:00:00Z',
  });
  expect(describeError(tokens)).toBe(
    `Quota reached: LLM tokens this month (limit ${(100000).toLocaleString()}). It resets in 5 days 12 h (${formatDateTime('2026-12-01T00:00:00Z')}).`,
  );
  const turns = new ApiError(429, { code: 'quota_exceeded.concurrent_turns', quota: 'concurrent_turns', limit: 5 });
  expect(describeError(turns)).toBe(
    'Quota reached: chat turns streaming at once (limit 5). Try again when one of the answers in progress has finished.',
  );
});
