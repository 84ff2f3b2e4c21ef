import type { UsagePeriodChoice } from './usage.schema.js';

/** Longest custom period; beyond a year the weekly chart stops being readable. */
export const MAX_PERIOD_DAYS = 366;
/** Up to this many days the trend has one bar per day, beyond it one per week. */
export const MAX_DAILY_DAYS = 31;

const DAY_MS = 86_400_000;

/**
 * The days a report covers, in UTC (events are stored as instants; one fixed zone keeps the buckets, the CSV
 * and the filters in agreement whoever looks at them). `from` is the first day's midnight, `until` the midnight
 * after the last day (exclusive).
 */
export interface UsagePeriod {
  choice: UsagePeriodChoice;
  firstDay: string;
  lastDay: string;
  from: Date;
  until: Date;
  days: number;
  bucket: 'day' | 'week';
}

export interface TrendBucket {
  /** The bucket's first day as the database groups it (a Monday for weeks), YYYY-MM-DD. */
  key: string;
  /** The days of the period the bucket covers (a week at either end may be cut by the period). */
  firstDay: string;
  lastDay: string;
}

export type PeriodResult = { ok: true; period: UsagePeriod } | { ok: false; fields: Record<string, string> };

export const dayOf = (d: Date): string => d.toISOString().slice(0, 10);
const midnightOf = (day: string): Date => new Date(`${day}T00:00:00.000Z`);
const addDays = (day: string, n: number): string => dayOf(new Date(midnightOf(day).getTime() + n * DAY_MS));

/** A real calendar day written YYYY-MM-DD (Date would roll 2026-02-30 over to March). */
function parseDay(text: string | undefined): string | null {
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const d = midnightOf(text);
  return Number.isNaN(d.getTime()) || dayOf(d) !== text ? null : text;
}

function periodOf(choice: UsagePeriodChoice, firstDay: string, lastDay: string): UsagePeriod {
  const from = midnightOf(firstDay);
  const until = midnightOf(addDays(lastDay, 1));
  const days = Math.round((until.getTime() - from.getTime()) / DAY_MS);
  return { choice, firstDay, lastDay, from, until, days, bucket: days <= MAX_DAILY_DAYS ? 'day' : 'week' };
}

/** The last 7/30/90 days including today, or the custom dates checked: real days, in order, not in the future, at most a year. */
export function resolvePeriod(query: { period: UsagePeriodChoice; from?: string | undefined; to?: string | undefined }, now: Date): PeriodResult {
  const today = dayOf(now);
  if (query.period !== 'custom') return { ok: true, period: periodOf(query.period, addDays(today, 1 - Number(query.period)), today) };
  const fields: Record<string, string> = {};
  const firstDay = parseDay(query.from);
  const lastDay = parseDay(query.to);
  if (!firstDay) fields.from = 'enter the first day as YYYY-MM-DD, for example 2026-01-31';
  if (!lastDay) fields.to = 'enter the last day as YYYY-MM-DD, for example 2026-02-28';
  if (firstDay && lastDay) {
    if (lastDay > today) fields.to = `choose a day up to today (${today})`;
    else if (firstDay > lastDay) fields.from = 'choose a first day on or before the last day';
    else if (periodOf('custom', firstDay, lastDay).days > MAX_PERIOD_DAYS) fields.from = `choose at most ${MAX_PERIOD_DAYS} days`;
  }
  if (!firstDay || !lastDay || Object.keys(fields).length) return { ok: false, fields };
  return { ok: true, period: periodOf('custom', firstDay, lastDay) };
}

/** Monday of the ISO week the day falls in, as date_trunc('week', …) gives it. */
function mondayOf(day: string): string {
  const weekday = (midnightOf(day).getUTCDay() + 6) % 7;
  return addDays(day, -weekday);
}

/** Every bucket of the period in order, including the ones nothing happened in (they are drawn as zero). */
export function bucketsOf(period: UsagePeriod): TrendBucket[] {
  const buckets: TrendBucket[] = [];
  if (period.bucket === 'day') {
    for (let day = period.firstDay; day <= period.lastDay; day = addDays(day, 1)) buckets.push({ key: day, firstDay: day, lastDay: day });
    return buckets;
  }
  for (let monday = mondayOf(period.firstDay); monday <= period.lastDay; monday = addDays(monday, 7)) {
    const sunday = addDays(monday, 6);
    buckets.push({ key: monday, firstDay: monday < period.firstDay ? period.firstDay : monday, lastDay: sunday > period.lastDay ? period.lastDay : sunday });
  }
  return buckets;
}
