/**
 * Pay arithmetic in integer minor units (FAIRWORK "Money and time are exact"). Products go through
 * BigInt so no intermediate ever loses a unit; every rounding is explicit and, where a choice
 * exists, in the worker's favour.
 */

export const HOUR_MS = 3_600_000;

/** ceil(a / b) for BigInt, b > 0, any sign of a. */
function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n ? q + 1n : q;
}

/** floor(a / b) for BigInt, b > 0, any sign of a. */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

function toSafeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new RangeError('amount out of the exact integer range');
  return Number(value);
}

/**
 * Pay for `ms` of time at `hourlyMinor` per hour, rounded up to the next minor unit: a worker is
 * never paid a fraction of a cent less than the rate. 0 for no time or a zero rate.
 */
export function payForTime(hourlyMinor: number, ms: number): number {
  if (hourlyMinor <= 0 || ms <= 0) return 0;
  return toSafeNumber(ceilDiv(BigInt(hourlyMinor) * BigInt(ms), BigInt(HOUR_MS)));
}

/** The hourly rate (minor units, rounded down) that `amountMinor` for `ms` of time comes to; null without time. */
export function hourlyRate(amountMinor: number, ms: number): number | null {
  if (ms <= 0) return null;
  return toSafeNumber(floorDiv(BigInt(amountMinor) * BigInt(HOUR_MS), BigInt(ms)));
}

/** An exchange rate as a fraction: quote minor units = base minor units x num / den. */
export interface Rate {
  num: number;
  den: number;
}

/** Converts minor units with an exact rational rate, rounding up or down as told. */
export function convert(amountMinor: number, rate: Rate, rounding: 'up' | 'down'): number {
  const product = BigInt(amountMinor) * BigInt(rate.num);
  const den = BigInt(rate.den);
  return toSafeNumber(rounding === 'up' ? ceilDiv(product, den) : floorDiv(product, den));
}

/**
 * Splits `total` (an integer >= 0) into integer parts proportional to `weights` (>= 0) that add up
 * to `total` exactly: largest remainder, ties to the earlier index. All-zero weights split evenly.
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  if (weights.length === 0) return [];
  const w = weights.some((x) => x > 0) ? weights.map((x) => BigInt(Math.max(0, x))) : weights.map(() => 1n);
  const sum = w.reduce((a, b) => a + b, 0n);
  const t = BigInt(total);
  const parts = w.map((x) => (t * x) / sum);
  let left = t - parts.reduce((a, b) => a + b, 0n);
  const order = w.map((x, i) => ({ i, rem: (t * x) % sum })).sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (const { i } of order) {
    if (left <= 0n) break;
    parts[i] += 1n;
    left -= 1n;
  }
  return parts.map(toSafeNumber);
}

/** The q-quantile (0..1) of integers by the nearest-rank method (an observed value, never interpolated); undefined when empty. */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

/** Formats minor units as a decimal string for people and CSV ("1046" USD -> "10.46"); the exponent per ISO 4217. */
export function formatMinor(amountMinor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  if (exponent === 0) return String(amountMinor);
  const sign = amountMinor < 0 ? '-' : '';
  const abs = Math.abs(amountMinor);
  const unit = 10 ** exponent;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(exponent, '0')}`;
}

const ZERO_DECIMALS = new Set(['JPY', 'KRW', 'VND', 'CLP', 'ISK', 'UGX', 'XAF', 'XOF', 'PYG', 'RWF']);
const THREE_DECIMALS = new Set(['BHD', 'KWD', 'OMR', 'JOD', 'TND', 'IQD', 'LYD']);

/** Digits after the decimal point of a currency's minor unit (ISO 4217; 2 unless listed). */
export function currencyExponent(currency: string): number {
  if (ZERO_DECIMALS.has(currency)) return 0;
  if (THREE_DECIMALS.has(currency)) return 3;
  return 2;
}
