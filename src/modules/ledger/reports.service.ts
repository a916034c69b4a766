import type { Kysely } from 'kysely';
import type { Database, DB } from '../../db/index.ts';
import { type Project, QUALITY_DEFAULTS } from '../projects/index.ts';
import { accuracyEstimate } from '../quality/index.ts';
import { myAppeals } from './appeals.service.ts';
import { effectiveStatus } from './decisions.service.ts';
import { projectNamesOf } from './entries.service.ts';
import { findAccount, lockAccount, profileAsOf } from './ledger.repository.ts';
import { type LedgerHandle, ledgerDb } from './ledger.tables.ts';
import { hourlyRate, quantile } from './money.ts';
import { presentSanction, sanctionsOf } from './sanctions.service.ts';
import { type ClosePayload, computeWeekClose, MissingRateError } from './week-close.ts';
import { gatherCloseInput } from './week-close.service.ts';
import { addDays, localDate, weekByKey, weekKeyOf } from './week.ts';

const DAY_MS = 86_400_000;
const APPEAL_WINDOW_MS = 30 * DAY_MS;
type Money = { currency: string; amount_minor: number };

function addMoney(list: Money[], currency: string, amount: number): void {
  const m = list.find((x) => x.currency === currency);
  if (m) m.amount_minor += amount;
  else list.push({ currency, amount_minor: amount });
}

const sortMoney = (list: Money[]) => list.sort((a, b) => (a.currency < b.currency ? -1 : 1));

/** Stable next-step codes per decision or sanction state (the web app translates them). */
function nextSteps(kind: string, status: string, appealable: boolean): string[] {
  if (status === 'overturned') return ['none'];
  const steps: string[] = [];
  if (status === 'pending_second') steps.push('awaiting_second_review');
  if (status === 'pending_confirmation') steps.push('awaiting_confirmation');
  if (kind === 'review_reject' || kind === 'audit_reject' || kind === 'review_revise') steps.push('read_feedback');
  if (kind === 'warning') steps.push('review_missed_gold', 'improve_within_window');
  if (kind === 'suspension' || kind === 'deactivation') steps.push('earned_pay_still_paid');
  if (appealable) steps.push('appeal_within_30_days');
  return steps.length ? steps : ['none'];
}

/**
 * Every decision about the worker (reviews, audits, automatic approvals) and every sanction, newest
 * first, each with stable codes for what it is, its state, what it did to pay and what to do next.
 */
export async function workerDecisions(db: Kysely<DB>, workerId: number, now: number) {
  const h = ledgerDb(db);
  const decisions = await h.selectFrom('decisions').selectAll().where('worker_id', '=', workerId).orderBy('id', 'desc').limit(500).execute();
  const ids = decisions.map((d) => d.id);
  const confirmations = ids.length ? await h.selectFrom('decision_confirmations').selectAll().where('decision_id', 'in', ids).execute() : [];
  const appeals = await h.selectFrom('appeals').selectAll().where('worker_id', '=', workerId).execute();
  const events = appeals.length ? await h.selectFrom('appeal_events').selectAll().where('appeal_id', 'in', appeals.map((a) => a.id)).where('kind', '=', 'resolved').execute() : [];
  // Money a decision moved is the worker's: naming the worker keeps the read on their entries, not the whole ledger.
  const money = ids.length ? await h.selectFrom('ledger_entries').select(['decision_id', 'kind', 'amount_minor', 'currency']).where('worker_id', '=', workerId).where('decision_id', 'in', ids).execute() : [];
  const names = await projectNamesOf(db, decisions.map((d) => d.project_id));
  const appealFor = (kind: string, id: number) => {
    const a = appeals.filter((x) => x.subject_kind === kind && x.subject_id === id).sort((x, y) => y.id - x.id)[0];
    if (!a) return null;
    const resolved = events.find((e) => e.appeal_id === a.id);
    return { id: String(a.id), status: resolved ? 'resolved' : 'open', outcome: resolved?.outcome ?? null };
  };
  const out = [];
  for (const d of decisions) {
    const c = confirmations.find((x) => x.decision_id === d.id);
    const appeal = appealFor('decision', d.id);
    const status = effectiveStatus(d, c?.outcome ?? null, appeal?.outcome ?? null);
    const open = appeal?.status === 'open';
    const appealable = !open && status !== 'overturned' && d.created_at + APPEAL_WINDOW_MS >= now;
    const withheld = money.filter((m) => m.decision_id === d.id && m.kind === 'reversal').reduce((a, m) => a - m.amount_minor, 0);
    out.push({
      type: 'decision',
      id: String(d.id),
      kind: d.kind,
      status,
      reason_code: d.reason_code,
      text: d.text,
      evidence: d.evidence === null ? null : JSON.parse(d.evidence),
      project: d.project_id === null ? null : (names.get(d.project_id) ?? null),
      task_id: d.task_id === null ? null : String(d.task_id),
      assignment_id: d.assignment_id === null ? null : String(d.assignment_id),
      decided_at: new Date(d.created_at).toISOString(),
      decided_by: d.decider_rule ? { kind: 'rule', rule: d.decider_rule } : { kind: 'person' },
      hold_reason: status === 'pending_second' ? d.hold_reason : null,
      pay: { withheld_minor: withheld, currency: money.find((m) => m.decision_id === d.id)?.currency ?? null },
      next_steps: nextSteps(d.kind, status, appealable),
      appeal: { allowed: appealable, deadline: new Date(d.created_at + APPEAL_WINDOW_MS).toISOString(), appeal_id: appeal?.id ?? null, appeal_status: appeal?.status ?? null },
    });
  }
  const sanctionNames = await projectNamesOf(db, (await h.selectFrom('sanctions').select('project_id').where('worker_id', '=', workerId).execute()).map((s) => s.project_id));
  for (const s of (await sanctionsOf(h, workerId, now)).reverse()) {
    const appeal = appealFor('sanction', s.row.id);
    const appealable = appeal?.status !== 'open' && s.status !== 'overturned' && s.status !== 'declined' && s.row.created_at + APPEAL_WINDOW_MS >= now;
    out.push({
      type: 'sanction',
      ...presentSanction(s, sanctionNames),
      kind: s.row.level,
      next_steps: nextSteps(s.row.level, s.status, appealable),
      appeal: { allowed: appealable, deadline: new Date(s.row.created_at + APPEAL_WINDOW_MS).toISOString(), appeal_id: appeal?.id ?? null, appeal_status: appeal?.status ?? null },
    });
  }
  return out.sort((a, b) => (a.decided_at < b.decided_at ? 1 : a.decided_at > b.decided_at ? -1 : 0));
}

async function ensureAccount(database: Database, workerId: number, now: number) {
  const h = ledgerDb(database.db);
  const found = await findAccount(h, workerId);
  if (found) return found;
  return database.db.transaction().execute((trx) => lockAccount(ledgerDb(trx), workerId, now));
}

interface WeekFigures {
  byCategory: Record<string, number>;
  paidMs: number;
  unpaidMs: number;
  activeMs: number;
  days: Map<string, { byCategory: Record<string, number>; paidMs: number; unpaidMs: number }>;
}

async function timeOfWeeks(h: LedgerHandle, workerId: number, fromKey: string, toKey: string, tz: string): Promise<Map<string, WeekFigures>> {
  const rows = await h
    .selectFrom('time_segments')
    .select(['week_key', 'category', 'paid', 'ms', 'started_at'])
    .where('worker_id', '=', workerId)
    .where('week_key', '>=', fromKey)
    .where('week_key', '<=', toKey)
    .execute();
  const out = new Map<string, WeekFigures>();
  for (const r of rows) {
    const w: WeekFigures = out.get(r.week_key) ?? { byCategory: {}, paidMs: 0, unpaidMs: 0, activeMs: 0, days: new Map() };
    w.byCategory[r.category] = (w.byCategory[r.category] ?? 0) + r.ms;
    if (r.paid === 1) w.paidMs += r.ms;
    else w.unpaidMs += r.ms;
    if (r.category === 'task_active') w.activeMs += r.ms;
    const day = localDate(r.started_at, tz);
    const d = w.days.get(day) ?? { byCategory: {}, paidMs: 0, unpaidMs: 0 };
    d.byCategory[r.category] = (d.byCategory[r.category] ?? 0) + r.ms;
    if (r.paid === 1) d.paidMs += r.ms;
    else d.unpaidMs += r.ms;
    w.days.set(day, d);
    out.set(r.week_key, w);
  }
  return out;
}

/**
 * The worker statement (FAIRWORK "Reports") for the workweeks starting within [from, to]: counted
 * hours per day and week by category, unpaid recorded time apart, earnings, top-ups, deductions,
 * totals and pay dates, the effective hourly rate three ways, rejections with reasons and open appeals.
 * Every amount comes from ledger rows, so the totals equal the ledger to the minor unit.
 */
export async function workerStatement(database: Database, workerId: number, range: { from: string; to: string }, now: number) {
  const { db } = database;
  const h = ledgerDb(db);
  const account = await ensureAccount(database, workerId, now);
  const profile = await profileAsOf(h, workerId, now);
  const tz = profile?.timezone ?? account.timezone;
  const fromKey = weekKeyOf(Date.parse(`${range.from}T12:00:00Z`), tz, profile?.week_start_day ?? 1);
  const toKey = range.to;
  const entries = await h.selectFrom('ledger_entries').selectAll().where('worker_id', '=', workerId).where('week_key', '>=', fromKey).where('week_key', '<=', toKey).orderBy('id').execute();
  const closes = await h.selectFrom('week_closes').selectAll().where('worker_id', '=', workerId).where('week_key', '>=', fromKey).where('week_key', '<=', toKey).execute();
  const time = await timeOfWeeks(h, workerId, fromKey, toKey, tz);
  const keys = [...new Set([...entries.map((e) => e.week_key), ...time.keys(), ...closes.map((c) => c.week_key)])].sort();

  const weeks = keys.map((key) => {
    const own = entries.filter((e) => e.week_key === key);
    const close = closes.find((c) => c.week_key === key);
    const payload = close ? (JSON.parse(close.payload) as ClosePayload) : undefined;
    const t: WeekFigures = time.get(key) ?? { byCategory: {}, paidMs: 0, unpaidMs: 0, activeMs: 0, days: new Map() };
    const earnings: { kind: string; currency: string; amount_minor: number }[] = [];
    const deductions: Money[] = [];
    const topups: Money[] = [];
    const overtime: Money[] = [];
    const adjustments: Money[] = [];
    const payouts: (Money & { paid_at: string })[] = [];
    const total: Money[] = [];
    for (const e of own) {
      if (e.kind === 'payout') {
        payouts.push({ currency: e.currency, amount_minor: -e.amount_minor, paid_at: new Date(e.created_at).toISOString() });
        continue;
      }
      addMoney(total, e.currency, e.amount_minor);
      if (e.kind === 'reversal') addMoney(deductions, e.currency, -e.amount_minor);
      else if (e.kind === 'floor_topup') addMoney(topups, e.currency, e.amount_minor);
      else if (e.kind === 'overtime_premium') addMoney(overtime, e.currency, e.amount_minor);
      else if (e.kind === 'adjustment' && e.close_id !== null) addMoney(adjustments, e.currency, e.amount_minor);
      else {
        const k = earnings.find((x) => x.kind === e.kind && x.currency === e.currency);
        if (k) k.amount_minor += e.amount_minor;
        else earnings.push({ kind: e.kind, currency: e.currency, amount_minor: e.amount_minor });
      }
    }
    const week = weekByKey(key, tz);
    // Effective hourly, three ways, over what the week pays in one currency (null when it pays in several).
    const single = total.length === 1 ? total[0] : undefined;
    const recordedMs = t.paidMs + t.unpaidMs;
    return {
      week: key,
      start_at: new Date(week.startAt).toISOString(),
      end_at: new Date(week.endAt).toISOString(),
      status: close ? 'closed' : 'open',
      hours: { by_category_ms: t.byCategory, paid_ms: t.paidMs, unpaid_ms: t.unpaidMs, recorded_ms: recordedMs, active_ms: t.activeMs },
      days: [...t.days].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, d]) => ({ date, by_category_ms: d.byCategory, paid_ms: d.paidMs, unpaid_ms: d.unpaidMs })),
      earnings: earnings.sort((a, b) => (a.kind + a.currency < b.kind + b.currency ? -1 : 1)),
      deductions: sortMoney(deductions),
      topups: sortMoney(topups),
      overtime: sortMoney(overtime),
      adjustments_for_past_weeks: sortMoney(adjustments),
      total: sortMoney(total),
      floor: payload ? { required_minor: payload.required_minor, currency: payload.currency, platform_minor: payload.floor.platform_minor, jurisdiction_minor: payload.floor.jurisdiction_minor } : null,
      payouts,
      pay_date: payouts[0]?.paid_at ?? null,
      effective_hourly: single
        ? { currency: single.currency, per_active_minor: hourlyRate(single.amount_minor, t.activeMs), per_paid_minor: hourlyRate(single.amount_minor, t.paidMs), per_recorded_minor: hourlyRate(single.amount_minor, recordedMs) }
        : null,
      hash: close?.hash ?? null,
    };
  });

  const earned: Money[] = [];
  const paidOut: Money[] = [];
  const ledgerSum: Money[] = [];
  for (const e of entries) {
    addMoney(ledgerSum, e.currency, e.amount_minor);
    if (e.kind === 'payout') addMoney(paidOut, e.currency, -e.amount_minor);
    else addMoney(earned, e.currency, e.amount_minor);
  }
  const balanceRows = await h
    .selectFrom('ledger_entries')
    .select(['currency', (eb) => eb.fn.sum<number>('amount_minor').as('amount')])
    .where('worker_id', '=', workerId)
    .where('week_key', '<=', toKey)
    .groupBy('currency')
    .execute();
  const rejections = (await workerDecisions(db, workerId, now)).filter((d) => d.type === 'decision' && (d.kind === 'review_reject' || d.kind === 'audit_reject') && d.decided_at.slice(0, 10) >= addDays(fromKey, 0) && d.decided_at.slice(0, 10) <= addDays(toKey, 7));
  return {
    worker_id: String(workerId),
    timezone: tz,
    currency: profile?.currency ?? 'USD',
    period: { from: range.from, to: range.to, first_week: fromKey, last_week: keys[keys.length - 1] ?? null },
    weeks,
    totals: {
      earned: sortMoney(earned),
      paid_out: sortMoney(paidOut),
      ledger_sum: sortMoney(ledgerSum),
      balance_after: sortMoney(balanceRows.map((r) => ({ currency: r.currency, amount_minor: Number(r.amount) })).filter((m) => m.amount_minor !== 0)),
    },
    rejections: rejections.map((r) => ({ decision_id: r.id, project: r.project, task_id: r.task_id, assignment_id: r.assignment_id, reason_code: r.reason_code, text: r.text, status: r.status, withheld_minor: r.pay?.withheld_minor ?? 0, decided_at: r.decided_at, appeal: r.appeal })),
    open_appeals: (await myAppeals(db, workerId)).filter((a) => a.status !== 'resolved'),
    generated_at: new Date(now).toISOString(),
  };
}

/** CSV text of a statement: one line per figure (section, week, date, item, currency, amount_minor, ms). */
export function statementCsv(s: Awaited<ReturnType<typeof workerStatement>>): string {
  const lines = ['section,week,date,item,currency,amount_minor,ms'];
  const row = (...cells: (string | number | null)[]) => lines.push(cells.map((c) => (c === null ? '' : csvCell(String(c)))).join(','));
  for (const w of s.weeks) {
    for (const d of w.days) for (const [cat, ms] of Object.entries(d.by_category_ms as Record<string, number>).sort()) row('time', w.week, d.date, cat, null, null, ms);
    row('paid_time', w.week, null, 'paid', null, null, w.hours.paid_ms);
    row('unpaid_time', w.week, null, 'unpaid_recorded', null, null, w.hours.unpaid_ms);
    for (const e of w.earnings) row('earning', w.week, null, e.kind, e.currency, e.amount_minor, null);
    for (const m of w.topups) row('topup', w.week, null, 'floor_topup', m.currency, m.amount_minor, null);
    for (const m of w.overtime) row('overtime', w.week, null, 'overtime_premium', m.currency, m.amount_minor, null);
    for (const m of w.adjustments_for_past_weeks) row('adjustment', w.week, null, 'late_floor_adjustment', m.currency, m.amount_minor, null);
    for (const m of w.deductions) row('deduction', w.week, null, 'reversal', m.currency, -m.amount_minor, null);
    for (const m of w.total) row('total', w.week, null, 'week_total', m.currency, m.amount_minor, null);
    for (const p of w.payouts) row('payout', w.week, p.paid_at.slice(0, 10), 'payout', p.currency, p.amount_minor, null);
  }
  for (const m of s.totals.earned) row('period_total', null, null, 'earned', m.currency, m.amount_minor, null);
  for (const m of s.totals.paid_out) row('period_total', null, null, 'paid_out', m.currency, m.amount_minor, null);
  for (const m of s.totals.balance_after) row('period_total', null, null, 'balance_after', m.currency, m.amount_minor, null);
  for (const r of s.rejections) row('rejection', null, r.decided_at.slice(0, 10), r.reason_code ?? '', null, -r.withheld_minor, null);
  return `${lines.join('\n')}\n`;
}

export function csvCell(value: string): string {
  // RFC 4180 quoting; a leading = + - @ is prefixed so a spreadsheet never runs it as a formula.
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * The worker dashboard: this week's hours and earnings, the rate against the floor, the projected
 * top-up (the week close computed now), quality estimates, pending reviews and open appeals.
 */
export async function workerDashboard(database: Database, workerId: number, now: number) {
  const { db } = database;
  const h = ledgerDb(db);
  const account = await ensureAccount(database, workerId, now);
  const key = weekKeyOf(now, account.timezone, account.week_start_day);
  const openKey = account.closed_through !== null && key <= account.closed_through ? addDays(account.closed_through, 7) : key;
  let projection: { payload: ClosePayload } | null = null;
  let problem: string | null = null;
  const input = await gatherCloseInput(h, workerId, openKey, now, null);
  if (input) {
    try {
      projection = computeWeekClose({ ...input, pastWeeks: [] });
    } catch (error) {
      if (!(error instanceof MissingRateError)) throw error;
      problem = 'fx_rate_missing';
    }
  }
  const p = projection?.payload;
  // The highest floor any of this week's work is held to (the project's promise can raise it).
  const floorHourly = p ? Math.max(p.floor.platform_minor, p.floor.jurisdiction_minor, ...p.floor.projects.flatMap((x) => x.lines.map((line) => line.floor_minor))) : null;
  const quality = await db
    .selectFrom('worker_quality')
    .innerJoin('projects', 'projects.id', 'worker_quality.project_id')
    .select(['projects.name', 'projects.quality', 'worker_quality.gold_n', 'worker_quality.gold_correct'])
    .where('worker_quality.worker_id', '=', workerId)
    .orderBy('projects.name')
    .execute();
  // Answers neither approved (paid) nor decided yet.
  const pending = await h
    .selectFrom('assignments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('worker_id', '=', workerId)
    .where('status', '=', 'submitted')
    .where('review_status', 'is', null)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('ledger_entries').select('ledger_entries.id').whereRef('ledger_entries.assignment_id', '=', 'assignments.id').where('ledger_entries.kind', '=', 'piece'))))
    .executeTakeFirstOrThrow();
  const appeals = (await myAppeals(db, workerId)).filter((a) => a.status !== 'resolved');
  const balance = await h
    .selectFrom('ledger_entries')
    .select(['currency', (eb) => eb.fn.sum<number>('amount_minor').as('amount')])
    .where('worker_id', '=', workerId)
    .groupBy('currency')
    .execute();
  const week = weekByKey(openKey, account.timezone);
  return {
    week: { week: openKey, start_at: new Date(week.startAt).toISOString(), end_at: new Date(week.endAt).toISOString(), timezone: account.timezone },
    hours: { paid_ms: p?.time.paid_ms ?? 0, unpaid_ms: p?.time.unpaid_ms ?? 0, by_category_ms: p?.time.by_category ?? {} },
    earnings: { currency: p?.currency ?? null, net_minor: p?.net_minor ?? 0, deductions_minor: p?.deductions_minor ?? 0, by_kind: p?.earnings ?? [] },
    rate: {
      currency: p?.currency ?? null,
      effective_hourly_minor: p ? hourlyRate(p.net_minor, p.time.paid_ms) : null,
      floor_hourly_minor: floorHourly,
      below_floor: p ? p.net_minor < p.required_minor : false,
    },
    projected_topup_minor: p?.topup_minor ?? null,
    projection_problem: problem,
    quality: quality.map((q) => ({ project: q.name, ...accuracyEstimate(q.gold_correct, q.gold_n, { ...QUALITY_DEFAULTS.prior, ...(JSON.parse(q.quality).prior ?? {}) }) })),
    pending_reviews: Number(pending.n),
    open_appeals: { count: appeals.length, ids: appeals.map((a) => a.id) },
    balance: balance.map((b) => ({ currency: b.currency, amount_minor: Number(b.amount) })).filter((b) => b.amount_minor !== 0),
  };
}

/**
 * The requester compliance report for a project and the weeks starting within [from, to]: effective
 * hourly pay before top-up (p10/p50/p90) over worker-weeks, the share below the floor before top-up and
 * what the top-ups cost, estimate accuracy, rejection and appeal rates and reasons, overturns, review
 * latency, sanctions and every worker-week that needed a top-up.
 */
export async function complianceReport(db: Kysely<DB>, project: Project, range: { from: string; to: string }) {
  const h = ledgerDb(db);
  const fromKey = addDays(range.from, -6);
  const closes = await h.selectFrom('week_closes').select(['worker_id', 'week_key', 'payload']).where('week_key', '>=', fromKey).where('week_key', '<=', range.to).orderBy('week_key').orderBy('worker_id').execute();
  const weeks: { worker_id: string; week: string; currency: string; paid_ms: number; net_minor: number; required_minor: number; topup_minor: number; hourly_before_topup_minor: number | null }[] = [];
  for (const c of closes) {
    const p = JSON.parse(c.payload) as ClosePayload;
    const line = p.floor.projects.find((x) => x.project_id === project.id);
    if (!line || (line.paid_ms === 0 && line.net_minor === 0)) continue;
    weeks.push({ worker_id: String(c.worker_id), week: c.week_key, currency: p.currency, paid_ms: line.paid_ms, net_minor: line.net_minor, required_minor: line.required_minor, topup_minor: line.topup_minor, hourly_before_topup_minor: hourlyRate(line.net_minor, line.paid_ms) });
  }
  const hourly = weeks.map((w) => w.hourly_before_topup_minor).filter((x): x is number => x !== null);
  const below = weeks.filter((w) => w.net_minor < w.required_minor);
  const fromMs = Date.parse(`${fromKey}T00:00:00Z`) - DAY_MS;
  const toMs = Date.parse(`${range.to}T00:00:00Z`) + 8 * DAY_MS;
  const answers = await db
    .selectFrom('assignments')
    .select(['id', 'shown', 'active_ms', 'short_idle_ms', 'ended_at'])
    .where('project_id', '=', project.id)
    .where('status', '=', 'submitted')
    .where('ended_at', '>=', fromMs)
    .where('ended_at', '<', toMs)
    .execute();
  const actual = answers.map((a) => a.active_ms + a.short_idle_ms);
  const shown = answers.map((a) => ((JSON.parse(a.shown) as { seconds?: number }).seconds ?? 0) * 1000);
  const decisions = await h.selectFrom('decisions').selectAll().where('project_id', '=', project.id).where('created_at', '>=', fromMs).where('created_at', '<', toMs).execute();
  const rejections = decisions.filter((d) => d.kind === 'review_reject' || d.kind === 'audit_reject');
  const reasons: Record<string, number> = {};
  for (const r of rejections) reasons[r.reason_code ?? 'none'] = (reasons[r.reason_code ?? 'none'] ?? 0) + 1;
  const appeals = await h.selectFrom('appeals').selectAll().where('project_id', '=', project.id).where('created_at', '>=', fromMs).where('created_at', '<', toMs).execute();
  const resolved = appeals.length ? await h.selectFrom('appeal_events').selectAll().where('appeal_id', 'in', appeals.map((a) => a.id)).where('kind', '=', 'resolved').execute() : [];
  const endedById = new Map(answers.map((a) => [a.id, a.ended_at as number]));
  const firstDecision = new Map<number, number>();
  for (const d of decisions) if (d.assignment_id !== null && !firstDecision.has(d.assignment_id)) firstDecision.set(d.assignment_id, d.created_at);
  const latencies = [...firstDecision].filter(([id]) => endedById.has(id)).map(([id, at]) => at - (endedById.get(id) as number));
  const sanctions = await h.selectFrom('sanctions').select(['level']).where('project_id', '=', project.id).where('created_at', '>=', fromMs).where('created_at', '<', toMs).execute();
  const byLevel: Record<string, number> = {};
  for (const s of sanctions) byLevel[s.level] = (byLevel[s.level] ?? 0) + 1;
  const topupCost: Money[] = [];
  for (const w of weeks) if (w.topup_minor > 0) addMoney(topupCost, w.currency, w.topup_minor);
  return {
    project: project.name,
    period: { from: range.from, to: range.to },
    worker_weeks: weeks.length,
    weeks,
    hourly_before_topup: { p10_minor: quantile(hourly, 0.1) ?? null, p50_minor: quantile(hourly, 0.5) ?? null, p90_minor: quantile(hourly, 0.9) ?? null },
    below_floor_before_topup: { count: below.length, share: weeks.length ? below.length / weeks.length : null },
    topup_cost: sortMoney(topupCost),
    estimate: {
      answers: answers.length,
      shown_median_seconds: shown.length ? Math.round((quantile(shown, 0.5) as number) / 1000) : null,
      actual_median_seconds: actual.length ? Math.round((quantile(actual, 0.5) as number) / 1000) : null,
      actual_p75_seconds: actual.length ? Math.round((quantile(actual, 0.75) as number) / 1000) : null,
    },
    rejections: { count: rejections.length, rate: answers.length ? rejections.length / answers.length : null, reasons },
    appeals: {
      count: appeals.length,
      rate: rejections.length ? appeals.length / rejections.length : null,
      resolved: resolved.length,
      overturned: resolved.filter((r) => r.outcome === 'overturned').length,
      overturn_rate: resolved.length ? resolved.filter((r) => r.outcome === 'overturned').length / resolved.length : null,
    },
    review_latency: { reviewed: latencies.length, p50_seconds: latencies.length ? Math.round((quantile(latencies, 0.5) as number) / 1000) : null, p90_seconds: latencies.length ? Math.round((quantile(latencies, 0.9) as number) / 1000) : null },
    sanctions: byLevel,
    topped_up_weeks: weeks.filter((w) => w.topup_minor > 0),
  };
}

/** CSV of a compliance report: one line per worker-week in the project, top-ups marked. */
export function complianceCsv(r: Awaited<ReturnType<typeof complianceReport>>): string {
  const lines = ['project,worker_id,week,currency,paid_ms,net_minor,required_minor,topup_minor,hourly_before_topup_minor,below_floor_before_topup'];
  for (const w of r.weeks) lines.push([r.project, w.worker_id, w.week, w.currency, w.paid_ms, w.net_minor, w.required_minor, w.topup_minor, w.hourly_before_topup_minor ?? '', w.net_minor < w.required_minor ? 1 : 0].map((c) => csvCell(String(c))).join(','));
  return `${lines.join('\n')}\n`;
}
