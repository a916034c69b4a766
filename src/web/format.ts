/*
 * Numbers, money, dates and durations for the interface language, through Intl. Money arrives as
 * integer minor units plus an ISO 4217 currency; it is turned into an exact decimal string (never a
 * float) before Intl formats it, so 1999 USD shows as $19.99 and 500 JPY as ¥500.
 */

const numberFormats = new Map<string, Intl.NumberFormat>();
function cached(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, options);
    numberFormats.set(key, format);
  }
  return format;
}

/** Digits after the decimal point in a currency's minor unit (USD 2, JPY 0, KWD 3). */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** The exact decimal string of an amount in minor units: (1999, 2) -> "19.99", (-5, 2) -> "-0.05". */
export function minorToDecimal(minor: number, digits: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = String(Math.abs(Math.trunc(minor)));
  if (digits === 0) return sign + abs;
  const padded = abs.padStart(digits + 1, '0');
  return `${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

/**
 * Parses what a person typed as an amount ("0.07", "0,07", "12") into minor units, or undefined when
 * it is not a non-negative amount with at most the currency's digits.
 */
export function decimalToMinor(text: string, digits: number): number | undefined {
  const clean = text.trim().replace(',', '.');
  const match = /^(\d{1,9})(?:\.(\d*))?$/.exec(clean);
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return undefined;
  return Number(match[1]) * 10 ** digits + (fraction ? Number(fraction.padEnd(digits, '0')) : 0);
}

/** Right-to-left interface languages. */
const RTL_LOCALES = new Set(['ar']);

/**
 * An amount with its currency, e.g. "$19.99", "19,99 €", "US$ 0.07". In a right-to-left sentence the
 * amount is wrapped in Unicode isolates (FSI ... PDI), so "US$" and the digits stay together.
 */
export function formatMoney(minor: number, currency: string, locale: string): string {
  const digits = currencyDigits(currency);
  let text: string;
  try {
    text = cached(locale, { style: 'currency', currency }).format(minorToDecimal(minor, digits) as Intl.StringNumericLiteral);
  } catch {
    text = `${minorToDecimal(minor, digits)} ${currency}`;
  }
  return RTL_LOCALES.has(locale.split('-')[0]) ? `\u2068${text}\u2069` : text;
}

export function formatNumber(value: number, locale: string): string {
  return cached(locale, {}).format(value);
}

export function formatPercent(fraction: number, locale: string): string {
  return cached(locale, { style: 'percent', maximumFractionDigits: 1 }).format(fraction);
}

/** Bytes as kB / MB / GB with the locale's unit names (decimal units, like file managers). */
export function formatBytes(bytes: number, locale: string): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let value = bytes;
  let i = 0;
  while (value >= 1000 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  return cached(locale, { style: 'unit', unit: units[i], unitDisplay: 'short', maximumFractionDigits: i === 0 ? 0 : 1 }).format(value);
}

/** A duration in seconds as "45 seconds" / "2 minutes" / "1.5 hours", in the locale's words. */
export function formatDuration(seconds: number, locale: string): string {
  if (seconds < 90) return cached(locale, { style: 'unit', unit: 'second', unitDisplay: 'long', maximumFractionDigits: 0 }).format(seconds);
  if (seconds < 5400) return cached(locale, { style: 'unit', unit: 'minute', unitDisplay: 'long', maximumFractionDigits: 1 }).format(seconds / 60);
  return cached(locale, { style: 'unit', unit: 'hour', unitDisplay: 'long', maximumFractionDigits: 1 }).format(seconds / 3600);
}

/** A number of days in the locale's words ("3 days", "3 jours", "٣ أيام"). */
export function formatDays(days: number, locale: string): string {
  return cached(locale, { style: 'unit', unit: 'day', unitDisplay: 'long' }).format(days);
}

let defaultTimeZone: string | undefined;

/** The signed-in person's time zone (from their account), used for every date shown; undefined: the browser's. */
export function setDefaultTimeZone(timeZone: string | null | undefined): void {
  defaultTimeZone = timeZone || undefined;
}

/** A date and time in the locale's style and the person's time zone; '' for a missing or bad date. */
export function formatDateTime(iso: string | null | undefined, locale: string, timeZone: string | null | undefined = defaultTimeZone): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) }).format(date);
  } catch {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
  }
}

/** Hourly rate implied by a piece rate: pay x 3600 / seconds, rounded down (never overstated). */
export function impliedHourlyMinor(pieceMinor: number, seconds: number): number {
  if (seconds <= 0) return 0;
  return Math.floor((pieceMinor * 3600) / seconds);
}
