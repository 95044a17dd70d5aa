// How every screen writes numbers, counts, dates and durations, so the same
// value reads the same everywhere. The reader's locale sets the separators
// and the date order; the words are English, like the rest of the app.

const numbers = new Intl.NumberFormat();
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
// Usage days are UTC days (`YYYY-MM-DD`): read and written in UTC, or they shift a day west of Greenwich.
const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const dayLong = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeZone: 'UTC' });
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** 1234567 → "1,234,567". */
export const formatNumber = (n: number) => numbers.format(n);

/** For axis ticks: 12000 → "12K". */
export const formatCompact = (n: number) => compact.format(n);

/** A count with its noun, singular or plural: "1 session", "1,234 tokens", "2 replies" with an explicit plural. */
export function formatCount(n: number, singular: string, plural = `${singular}s`): string {
  return `${formatNumber(n)} ${n === 1 ? singular : plural}`;
}

export const formatDateTime = (iso: string) => dateTime.format(new Date(iso));

export const formatDate = (iso: string) => date.format(new Date(iso));

/** A moment soon: the time alone when it is today, else the date and time. */
export function formatMoment(iso: string, now = new Date()): string {
  const at = new Date(iso);
  return at.toDateString() === now.toDateString() ? time.format(at) : dateTime.format(at);
}

/** A UTC day (`2026-11-23`) in short: "Nov 23". */
export const formatDay = (isoDay: string) => day.format(new Date(`${isoDay}T00:00:00Z`));

/** A UTC day in full, for tables and screen readers: "Monday, November 23, 2026". */
export const formatDayLong = (isoDay: string) => dayLong.format(new Date(`${isoDay}T00:00:00Z`));

const UNITS: { seconds: number; short: string; unit: Intl.RelativeTimeFormatUnit }[] = [
  { seconds: 86_400, short: 'day', unit: 'day' },
  { seconds: 3_600, short: 'h', unit: 'hour' },
  { seconds: 60, short: 'min', unit: 'minute' },
  { seconds: 1, short: 's', unit: 'second' },
];

/**
 * A span of time in its two largest units: 330 → "5 min 30 s", 7500 → "2 h 5 min",
 * 90000 → "1 day 1 h". Never "0 s": anything under a second is "1 s".
 */
export function formatDuration(totalSeconds: number): string {
  let left = Math.max(1, Math.round(totalSeconds));
  const parts: string[] = [];
  for (const { seconds, short } of UNITS) {
    if (parts.length === 2) break;
    const amount = Math.floor(left / seconds);
    left -= amount * seconds;
    if (amount > 0) parts.push(short === 'day' ? formatCount(amount, 'day') : `${amount} ${short}`);
    // Two units side by side, or none: "1 day 5 s" says less than "1 day".
    else if (parts.length === 1) break;
  }
  return parts.join(' ');
}

/** A moment relative to now: "in 3 hours", "5 minutes ago", "tomorrow". */
export function formatRelative(iso: string, now = Date.now()): string {
  const diff = (new Date(iso).getTime() - now) / 1000;
  const { seconds, unit } = UNITS.find((u) => Math.abs(diff) >= u.seconds) ?? UNITS[UNITS.length - 1]!;
  if (unit === 'second' && Math.abs(diff) < 45) return 'just now';
  return relative.format(Math.round(diff / seconds), unit);
}
