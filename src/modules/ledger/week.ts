/**
 * Workweeks in the worker's own time zone (FLSA 29 CFR 778.105: a fixed, recurring 168-hour period).
 * A week is named by its key, the local calendar date it starts on (YYYY-MM-DD), so keys sort as
 * text. Pure: time zones come from the platform's Intl data, never from the host's zone.
 */

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Whether `tz` is an IANA zone this runtime knows (asked of Intl once per zone: every ledger account read asks). */
export function isTimeZone(tz: string): boolean {
  if (formatters.has(tz)) return true;
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(tz, f);
  }
  return f;
}

/** The local calendar date (YYYY-MM-DD) of an instant in a zone, asking Intl. */
function formatDate(ms: number, tz: string): string {
  const parts = formatter(tz).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Per zone, the local day last asked about and the instants it spans. */
const lastDay = new Map<string, { key: string; startAt: number; endAt: number }>();

/**
 * The local calendar date (YYYY-MM-DD) of an instant in a zone. Every submit asks several times
 * about nearly the same instant, and Intl's formatting is the costly part, so each zone remembers
 * the span of the day it last answered.
 */
export function localDate(ms: number, tz: string): string {
  const day = lastDay.get(tz);
  if (day && ms >= day.startAt && ms < day.endAt) return day.key;
  const key = formatDate(ms, tz);
  const startAt = startOfLocalDate(key, tz);
  const endAt = startOfLocalDate(addDays(key, 1), tz);
  if (ms >= startAt && ms < endAt) lastDay.set(tz, { key, startAt, endAt });
  return key;
}

/** Calendar arithmetic on YYYY-MM-DD keys (no zone involved). */
export function addDays(key: string, days: number): string {
  const [y, m, d] = key.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d) + days * DAY_MS).toISOString().slice(0, 10);
}

function weekday(key: string): number {
  const [y, m, d] = key.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

const midnights = new Map<string, number>();

/**
 * The first instant of a local calendar date in a zone. Where a DST change skips midnight, the
 * first instant that is on that date. Found by bisection on whole seconds within 15 h of UTC
 * midnight, which spans every zone's offset.
 */
export function startOfLocalDate(key: string, tz: string): number {
  const cacheKey = `${tz}|${key}`;
  const cached = midnights.get(cacheKey);
  if (cached !== undefined) return cached;
  const [y, m, d] = key.split('-').map(Number);
  const utc = Date.UTC(y, m - 1, d);
  let lo = (utc - 15 * 3_600_000) / 1000;
  let hi = (utc + 15 * 3_600_000) / 1000;
  // Invariant: localDate(lo) < key <= localDate(hi).
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (formatDate(mid * 1000, tz) < key) lo = mid;
    else hi = mid;
  }
  const start = hi * 1000;
  if (midnights.size > 50_000) midnights.clear();
  midnights.set(cacheKey, start);
  return start;
}

export interface Week {
  key: string;
  startAt: number;
  /** Exclusive. */
  endAt: number;
}

const weeksByKey = new Map<string, Week>();

/** The workweek starting on local date `key` (frozen: the same object serves every caller). */
export function weekByKey(key: string, tz: string): Week {
  const cacheKey = `${tz}|${key}`;
  let week = weeksByKey.get(cacheKey);
  if (!week) {
    week = Object.freeze({ key, startAt: startOfLocalDate(key, tz), endAt: startOfLocalDate(addDays(key, 7), tz) });
    if (weeksByKey.size > 50_000) weeksByKey.clear();
    weeksByKey.set(cacheKey, week);
  }
  return week;
}

/** Per zone and first day, the week last asked about: a submit asks about the same week several times. */
const lastWeek = new Map<string, Week>();

/** The workweek containing the instant, for weeks starting on `startDay` (0 Sunday .. 6 Saturday). */
export function weekOf(ms: number, tz: string, startDay: number): Week {
  const spanKey = `${tz}|${startDay}`;
  const last = lastWeek.get(spanKey);
  if (last && ms >= last.startAt && ms < last.endAt) return last;
  const date = localDate(ms, tz);
  const week = weekByKey(addDays(date, -((weekday(date) - startDay + 7) % 7)), tz);
  lastWeek.set(spanKey, week);
  return week;
}

/** The key of the workweek containing the instant. */
export function weekKeyOf(ms: number, tz: string, startDay: number): string {
  return weekOf(ms, tz, startDay).key;
}

export interface Piece {
  key: string;
  startAt: number;
  endAt: number;
}

/** [start, end) cut at workweek boundaries; a zero-length span is one piece in the week of `start`. */
export function splitByWeeks(start: number, end: number, tz: string, startDay: number): Piece[] {
  const pieces: Piece[] = [];
  let at = start;
  for (;;) {
    const week = weekOf(at, tz, startDay);
    const pieceEnd = Math.min(end, week.endAt);
    pieces.push({ key: week.key, startAt: at, endAt: pieceEnd });
    if (pieceEnd >= end) return pieces;
    at = pieceEnd;
  }
}
