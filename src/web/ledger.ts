/*
 * The fair-work ledger as the web app reads it (src/modules/ledger/README.md has the contracts).
 * Money is integer minor units with its currency; time is milliseconds; codes are translated.
 */
/** An amount of money in integer minor units. */
export interface Money {
  currency: string;
  amount_minor: number;
}

export const CATEGORIES = ['task_active', 'short_idle', 'long_idle', 'instructions', 'qualification', 'training', 'review_rework', 'search', 'break'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface AppealRef {
  allowed: boolean;
  deadline: string;
  appeal_id: string | null;
  appeal_status: 'open' | 'resolved' | null;
}

export interface StatementWeek {
  week: string;
  start_at: string;
  end_at: string;
  status: 'open' | 'closed';
  hours: { by_category_ms: Record<Category, number>; paid_ms: number; unpaid_ms: number; recorded_ms: number; active_ms: number };
  earnings: { kind: string; currency: string; amount_minor: number }[];
  deductions: Money[];
  topups: Money[];
  overtime: Money[];
  adjustments_for_past_weeks: Money[];
  total: Money[];
  floor: { required_minor: number; currency: string; platform_minor: number; jurisdiction_minor: number } | null;
  payouts: (Money & { paid_at: string })[];
  pay_date: string | null;
  effective_hourly: { currency: string; per_active_minor: number | null; per_paid_minor: number | null; per_recorded_minor: number | null } | null;
  hash: string | null;
}

export interface Statement {
  worker_id: string;
  timezone: string;
  currency: string;
  period: { from: string; to: string; first_week: string; last_week: string | null };
  weeks: StatementWeek[];
  totals: { earned: Money[]; paid_out: Money[]; ledger_sum: Money[]; balance_after: Money[] };
  rejections: { decision_id: string; project: string | null; task_id: string | null; reason_code: string | null; text: string | null; status: string; withheld_minor: number; decided_at: string; appeal: AppealRef }[];
  generated_at: string;
}

export interface Dashboard {
  week: { week: string; start_at: string; end_at: string; timezone: string };
  hours: { paid_ms: number; unpaid_ms: number; by_category_ms: Record<Category, number> };
  earnings: { currency: string | null; net_minor: number; deductions_minor: number; by_kind: { kind: string; currency: string; amount_minor: number }[] };
  rate: { currency: string | null; effective_hourly_minor: number | null; floor_hourly_minor: number | null; below_floor: boolean };
  projected_topup_minor: number | null;
  projection_problem: string | null;
  pending_reviews: number;
  open_appeals: { count: number; ids: string[] };
  balance: Money[];
}

export interface Decision {
  type: 'decision' | 'sanction';
  id: string;
  kind: string;
  status: string;
  reason_code: string | null;
  text?: string | null;
  statement?: string;
  project: string | null;
  task_id?: string | null;
  decided_at: string;
  decided_by?: { kind: 'person' } | { kind: 'rule'; rule: string };
  hold_reason: string | null;
  pay?: { withheld_minor: number; currency: string | null };
  next_steps: string[];
  appeal: AppealRef;
}

export interface Appeal {
  id: string;
  subject: { kind: string; id: string };
  is_money: boolean;
  claimed_minor: number | null;
  currency: string | null;
  text: string;
  status: 'open' | 'assigned' | 'resolved';
  due_at: string | null;
  outcome: 'upheld' | 'overturned' | null;
  resolution: { outcome: string; text: string | null; restored_minor: number | null; by: { kind: 'person' } | { kind: 'rule'; rule: string }; at: string } | null;
  filed_at: string;
  /** For those who hear appeals: what is appealed. */
  decision?: { kind: string; reason_code: string | null; text: string | null; project: string | null; task_id: string | null; decided_at: string } | null;
}

/** Milliseconds as hours with two decimals ("2.25 h"), or minutes under an hour ("12 min"). */
export function formatHours(ms: number, locale: string): string {
  if (ms > 0 && ms < 3_600_000) return new Intl.NumberFormat(locale, { style: 'unit', unit: 'minute', unitDisplay: 'short', maximumFractionDigits: 1 }).format(ms / 60_000);
  return new Intl.NumberFormat(locale, { style: 'unit', unit: 'hour', unitDisplay: 'short', maximumFractionDigits: 2 }).format(ms / 3_600_000);
}

/** The calendar days a week covers, first to last, in the worker's zone ("23 nov. – 29 nov. 2026"). */
export function formatWeekSpan(startIso: string, endIso: string, locale: string, timeZone: string): string {
  const format = (iso: string, shift = 0) => {
    const date = new Date(Date.parse(iso) + shift);
    try {
      return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone }).format(date);
    } catch {
      return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(date);
    }
  };
  // The end is the first instant of the next week: its last day is one millisecond before.
  return `${format(startIso)} – ${format(endIso, -1)}`;
}

/** Sum of the amounts in one currency (a list usually holds one). */
export function amountIn(list: Money[], currency: string): number {
  return list.filter((m) => m.currency === currency).reduce((sum, m) => sum + m.amount_minor, 0);
}
