import type { Kysely } from 'kysely';
import { AppError } from '../../server/errors.ts';
import type { Database, DB } from '../../db/index.ts';
import type { Principal } from '../accounts/index.ts';
import { getProjectFor, type Project, setProjectParams } from '../projects/index.ts';
import { ALWAYS_PAID, OPTIONALLY_PAID, TIME_CATEGORIES } from './categories.ts';
import { type CardRow, cardAt, DEFAULT_CURRENCY, findAccount, insertProfile, listCards, lockAccount, type ProfileRow, profileAsOf, setAccountWorkweek, stampAfterAllCloses, stampAfterWorkerCloses } from './ledger.repository.ts';
import { ledgerDb } from './ledger.tables.ts';
import { formatMinor } from './money.ts';
import { appendCard, currentCardFor, syncCard } from './pay.service.ts';
import { isTimeZone } from './week.ts';

/*
 * The ledger's settings: rate cards, the platform floor, statutory minimums, exchange rates and
 * workers' pay profiles. Every change is a new dated row; nothing is edited in place.
 */

const CURRENCY = /^[A-Z]{3}$/;
const JURISDICTION = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function checkCurrency(currency: string): void {
  if (!CURRENCY.test(currency)) throw new AppError('invalid_currency');
}

/** A real calendar date YYYY-MM-DD. */
export function isDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export function presentCard(card: CardRow, now: number) {
  return {
    id: String(card.id),
    version: card.version,
    kind: card.kind,
    currency: card.currency,
    piece_rate_minor: card.pieceRateMinor,
    hourly_minor: card.hourlyMinor,
    paid_categories: card.paidCategories,
    effective_from: new Date(card.effectiveFrom).toISOString(),
    in_effect: card.effectiveFrom <= now,
    reason: card.reason,
    created_at: new Date(card.createdAt).toISOString(),
  };
}

export interface RateCardInput {
  kind: 'piece' | 'hourly' | 'piece_hourly_min';
  currency: string;
  piece_rate_minor: number;
  hourly_minor: number;
  paid_categories?: string[];
  notice_days?: number;
}

/**
 * Publishes a new rate card version for the requester's project and moves the project's displayed
 * pay to it. Refuses a card that leaves a required activity unpaid (rule 3). An increase applies at
 * once; a decrease only to work claimed after the notice (at least 7 days; rule 9).
 */
export async function publishRateCard(database: Database, principal: Principal, projectName: string, input: RateCardInput, now: number) {
  const project = await getProjectFor(database.db, principal, projectName);
  checkCurrency(input.currency);
  const categories = [...new Set([...(input.paid_categories ?? []), ...ALWAYS_PAID])];
  const unknown = (input.paid_categories ?? []).filter((c) => !(TIME_CATEGORIES as readonly string[]).includes(c) || c === 'long_idle');
  if (unknown.length) throw new AppError('rate_card_invalid', `Unknown or unpayable categories: ${unknown.join(', ')}`, { categories: unknown });
  if (input.paid_categories && ALWAYS_PAID.some((c) => !input.paid_categories?.includes(c))) {
    throw new AppError('required_activity_unpaid', undefined, { required: ALWAYS_PAID, optional: OPTIONALLY_PAID });
  }
  if (input.kind === 'piece' && input.hourly_minor !== 0) throw new AppError('rate_card_invalid', 'A piece card has no hourly rate (use piece_hourly_min for a promised hourly minimum)');
  if (input.kind === 'hourly' && (input.hourly_minor <= 0 || input.piece_rate_minor !== 0)) throw new AppError('rate_card_invalid', 'An hourly card has an hourly rate above 0 and no piece rate');
  if (input.kind === 'piece_hourly_min' && (input.hourly_minor <= 0 || input.piece_rate_minor <= 0)) throw new AppError('rate_card_invalid', 'A piece card with an hourly minimum needs both rates above 0');
  const h = ledgerDb(database.db);
  const card = await database.db.transaction().execute(async (trx) => {
    // The project's pay so far becomes a version first, so this one is measured against it.
    await syncCard(ledgerDb(trx), project, now);
    return appendCard(
      ledgerDb(trx),
      project.id,
      { kind: input.kind, currency: input.currency, pieceRateMinor: input.piece_rate_minor, hourlyMinor: input.hourly_minor, paidCategories: categories },
      { now, noticeMs: (input.notice_days ?? 0) * 86_400_000, reason: 'published', createdBy: principal.id },
    );
  });
  // The card is written first, so the project's newer pay never looks like an unrecorded change.
  await setProjectParams(database.db, principal, project.name, { pay: { currency: input.currency, piece_rate_minor: input.piece_rate_minor, promised_hourly_minor: input.hourly_minor } }, false, card.createdAt);
  return { rate_card: presentCard(card, now), in_effect: presentCard((await cardAt(h, project.id, now)) ?? card, now) };
}

/** Every version of a project's card, oldest first, with the one in effect now. */
export async function rateCardsOf(db: Kysely<DB>, project: Project, now: number) {
  const h = ledgerDb(db);
  await currentCardFor(db, project, now);
  const cards = await listCards(h, project.id);
  const inEffect = await cardAt(h, project.id, now);
  return {
    project: project.name,
    in_effect: inEffect ? presentCard(inEffect, now) : null,
    // A decrease announced but not yet in effect: workers see it before it applies.
    upcoming: cards.filter((c) => c.effectiveFrom > now).map((c) => presentCard(c, now)),
    versions: cards.map((c) => presentCard(c, now)),
  };
}

export function presentProfile(p: ProfileRow | undefined, workerId: number) {
  return {
    worker_id: String(workerId),
    jurisdiction: p?.jurisdiction ?? null,
    engagement: p?.engagement ?? 'contractor',
    currency: p?.currency ?? DEFAULT_CURRENCY,
    timezone: p?.timezone ?? 'UTC',
    week_start_day: p?.week_start_day ?? 1,
    since: p ? new Date(p.created_at).toISOString() : null,
  };
}

export interface ProfileInput {
  jurisdiction?: string | null;
  engagement?: 'contractor' | 'employee';
  currency?: string;
  timezone?: string;
  week_start_day?: number;
}

/**
 * Records a new version of a worker's pay profile (jurisdiction, engagement, settlement currency,
 * workweek). The workweek may change only while no week with events is open, so no event ever
 * changes week. Throws invalid_jurisdiction, invalid_currency, invalid_timezone, workweek_in_use.
 */
export async function setProfile(database: Database, workerId: number, input: ProfileInput, by: number, now: number) {
  if (input.jurisdiction && !JURISDICTION.test(input.jurisdiction)) throw new AppError('invalid_jurisdiction');
  if (input.currency !== undefined) checkCurrency(input.currency);
  if (input.timezone !== undefined && !isTimeZone(input.timezone)) throw new AppError('invalid_timezone');
  const user = await database.db.selectFrom('users').select('id').where('id', '=', workerId).executeTakeFirst();
  if (!user) throw new AppError('worker_not_found');
  return database.db.transaction().execute(async (trx) => {
    const h = ledgerDb(trx);
    const account = await lockAccount(h, workerId, now);
    const current = (await profileAsOf(h, workerId, now)) as ProfileRow;
    const timezone = input.timezone ?? current.timezone;
    const weekStartDay = input.week_start_day ?? current.week_start_day;
    if ((timezone !== current.timezone || weekStartDay !== current.week_start_day) && account.next_open_week !== null) throw new AppError('workweek_in_use');
    const row = await insertProfile(h, {
      worker_id: workerId,
      jurisdiction: input.jurisdiction === undefined ? current.jurisdiction : input.jurisdiction,
      engagement: input.engagement ?? current.engagement,
      currency: input.currency ?? current.currency,
      timezone,
      week_start_day: weekStartDay,
      created_by: by,
      created_at: await stampAfterWorkerCloses(h, workerId, now),
    });
    await setAccountWorkweek(h, workerId, timezone, weekStartDay);
    return presentProfile(row, workerId);
  });
}

/** The worker's current profile (creating the account with defaults on first look). */
export async function getProfile(database: Database, workerId: number, now: number) {
  const h = ledgerDb(database.db);
  if (!(await findAccount(h, workerId))) await database.db.transaction().execute(async (trx) => void (await lockAccount(ledgerDb(trx), workerId, now)));
  return presentProfile(await profileAsOf(h, workerId, now), workerId);
}

/** Statutory minimums, newest first per jurisdiction, each with its source. */
export async function listMinimums(db: Kysely<DB>) {
  const rows = await ledgerDb(db).selectFrom('jurisdiction_minimums').selectAll().orderBy('jurisdiction').orderBy('effective_from', 'desc').orderBy('id', 'desc').execute();
  return rows.map((r) => ({
    id: String(r.id),
    jurisdiction: r.jurisdiction,
    effective_from: r.effective_from,
    hourly_minor: r.hourly_minor,
    hourly: formatMinor(r.hourly_minor, r.currency),
    currency: r.currency,
    source: r.source,
    recorded_at: new Date(r.created_at).toISOString(),
  }));
}

/**
 * Records a statutory minimum. A row dated inside weeks that already closed never rewrites them: the
 * next close of each affected worker adds an adjustment for the difference.
 */
export async function addMinimum(db: Kysely<DB>, input: { jurisdiction: string; effective_from: string; hourly_minor: number; currency: string; source: string }, by: number, now: number) {
  if (!JURISDICTION.test(input.jurisdiction)) throw new AppError('invalid_jurisdiction');
  if (!isDate(input.effective_from)) throw new AppError('invalid_date');
  checkCurrency(input.currency);
  const row = await db.transaction().execute(async (trx) => {
    const h = ledgerDb(trx);
    return h
      .insertInto('jurisdiction_minimums')
      .values({ jurisdiction: input.jurisdiction, effective_from: input.effective_from, hourly_minor: input.hourly_minor, currency: input.currency, source: input.source, created_by: by, created_at: await stampAfterAllCloses(h, now) })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  return { id: String(row.id), jurisdiction: row.jurisdiction, effective_from: row.effective_from, hourly_minor: row.hourly_minor, currency: row.currency, source: row.source };
}

export async function platformFloors(db: Kysely<DB>) {
  const rows = await ledgerDb(db).selectFrom('platform_floors').selectAll().orderBy('effective_from', 'desc').orderBy('id', 'desc').execute();
  return rows.map((r) => ({ id: String(r.id), effective_from: r.effective_from, hourly_minor: r.hourly_minor, currency: r.currency, note: r.note, recorded_at: new Date(r.created_at).toISOString() }));
}

export async function setPlatformFloor(db: Kysely<DB>, input: { effective_from: string; hourly_minor: number; currency: string; note?: string }, by: number, now: number) {
  if (!isDate(input.effective_from)) throw new AppError('invalid_date');
  checkCurrency(input.currency);
  const row = await db.transaction().execute(async (trx) => {
    const h = ledgerDb(trx);
    return h
      .insertInto('platform_floors')
      .values({ effective_from: input.effective_from, hourly_minor: input.hourly_minor, currency: input.currency, note: input.note ?? '', created_by: by, created_at: await stampAfterAllCloses(h, now) })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  return { id: String(row.id), effective_from: row.effective_from, hourly_minor: row.hourly_minor, currency: row.currency, note: row.note };
}

export async function listFxRates(db: Kysely<DB>) {
  const rows = await ledgerDb(db).selectFrom('fx_rates').selectAll().orderBy('base').orderBy('quote').orderBy('effective_from', 'desc').execute();
  return rows.map((r) => ({ id: String(r.id), base: r.base, quote: r.quote, effective_from: r.effective_from, num: r.num, den: r.den, source: r.source }));
}

/** Records an exchange rate as an exact fraction of minor units: quote = base x num / den. */
export async function addFxRate(db: Kysely<DB>, input: { base: string; quote: string; effective_from: string; num: number; den: number; source: string }, by: number, now: number) {
  checkCurrency(input.base);
  checkCurrency(input.quote);
  if (input.base === input.quote) throw new AppError('invalid_currency', 'base and quote must differ');
  if (!isDate(input.effective_from)) throw new AppError('invalid_date');
  const row = await db.transaction().execute(async (trx) => {
    const h = ledgerDb(trx);
    return h
      .insertInto('fx_rates')
      .values({ base: input.base, quote: input.quote, effective_from: input.effective_from, num: input.num, den: input.den, source: input.source, created_by: by, created_at: await stampAfterAllCloses(h, now) })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  return { id: String(row.id), base: row.base, quote: row.quote, effective_from: row.effective_from, num: row.num, den: row.den, source: row.source };
}
