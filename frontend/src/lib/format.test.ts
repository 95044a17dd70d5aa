import { expect, test } from 'vitest';
import { formatCount, formatDay, formatDuration, formatMoment, formatNumber, formatRelative } from './format';

test('counts agree with their number, and large numbers have separators', () => {
  expect(formatCount(1, 'session')).toBe('1 session');
  expect(formatCount(0, 'session')).toBe('0 sessions');
  expect(formatCount(2, 'reply', 'replies')).toBe('2 replies');
  expect(formatCount(1234567, 'token')).toBe(`${formatNumber(1234567)} tokens`);
  expect(formatNumber(1234567)).toBe((1234567).toLocaleString());
});

test('durations read as a person says them, in their two largest units', () => {
  expect(formatDuration(330)).toBe('5 min 30 s');
  expect(formatDuration(45)).toBe('45 s');
  expect(formatDuration(0.2)).toBe('1 s');
  expect(formatDuration(60)).toBe('1 min');
  expect(formatDuration(7500)).toBe('2 h 5 min');
  expect(formatDuration(3605)).toBe('1 h');
  expect(formatDuration(90_000)).toBe('1 day 1 h');
  expect(formatDuration(3 * 86_400 + 59)).toBe('3 days');
});

test('moments relative to now, and UTC days that do not shift with the time zone', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');
  expect(formatRelative('2026-11-25T11:59:50Z', now)).toBe('just now');
  expect(formatRelative('2026-11-25T11:55:00Z', now)).toBe('5 minutes ago');
  expect(formatRelative('2026-11-25T15:00:00Z', now)).toBe('in 3 hours');
  expect(formatRelative('2026-11-24T12:00:00Z', now)).toBe('yesterday');
  expect(formatDay('2026-11-23')).toBe(
    new Date(Date.UTC(2026, 10, 23)).toLocaleDateString(undefined, {
      month: 'short',
      day: 'numeric',
      timeZone: 'UTC',
    }),
  );
  const today = new Date('2026-11-25T12:00:00');
  expect(formatMoment('2026-11-25T14:35:00', today)).toBe(
    new Date('2026-11-25T14:35:00').toLocaleTimeString(undefined, { timeStyle: 'short' }),
  );
  expect(formatMoment('2026-12-01T00:00:00', today)).toContain('2026');
});
