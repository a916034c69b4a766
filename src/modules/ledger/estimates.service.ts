import type { Kysely, Selectable } from 'kysely';
import { type Database, type DB, prepared } from '../../db/index.ts';
import type { Principal } from '../accounts/index.ts';
import { findProjectById, getProjectFor, type Project, setProjectParams } from '../projects/index.ts';
import { type EstimateRevisionsTable, type LedgerDB, ledgerDb } from './ledger.tables.ts';
import { type CardRow, fxRates, platformFloor } from './ledger.repository.ts';
import { quantile } from './money.ts';
import { currentCardFor } from './pay.service.ts';
import { convertWith, MissingRateError } from './week-close.ts';

/*
 * Estimates from actual times (FAIRWORK rule 2; Appen Fair Pay, Prolific): after 30 submissions, and
 * again every 100 more, the project's estimate becomes the median counted time of its submissions.
 * When the pay at the 75th percentile of actual time is below the floor, the project stops handing
 * out work until the requester raises the price or accepts top-ups.
 */

export const FIRST_REVISION_AT = 30;
export const REVISION_EVERY = 100;
type Revision = Selectable<EstimateRevisionsTable>;

/** The floor a project is held to for pricing: max(platform floor, the project's promise), in its currency. */
async function projectFloor(db: Kysely<DB>, card: CardRow, now: number): Promise<number> {
  const h = ledgerDb(db);
  const day = new Date(now).toISOString().slice(0, 10);
  const platform = await platformFloor(h, day, now);
  let floor = card.kind === 'piece' ? 0 : card.hourlyMinor;
  if (platform) {
    try {
      floor = Math.max(floor, convertWith(platform.currency === card.currency ? [] : await fxRates(h, day, now), platform.hourlyMinor, platform.currency, card.currency, 'up'));
    } catch (error) {
      if (!(error instanceof MissingRateError)) throw error;
    }
  }
  return floor;
}

/** Whether a card pays at least `floor` an hour at `p75Ms` per piece (an hourly card pays by the hour). */
export function paysFloorAt(card: Pick<CardRow, 'kind' | 'pieceRateMinor' | 'hourlyMinor'>, p75Ms: number, floorMinor: number): boolean {
  if (card.kind !== 'piece' && card.hourlyMinor >= floorMinor) return true;
  return BigInt(card.pieceRateMinor) * 3_600_000n >= BigInt(floorMinor) * BigInt(Math.max(1, p75Ms));
}

// Every claim asks (pricingStop).
const newestRevision = prepared((h: Kysely<LedgerDB>, projectId: number) => h.selectFrom('estimate_revisions').selectAll().where('project_id', '=', projectId).orderBy('id', 'desc').limit(1));

export async function latestRevision(db: Kysely<DB>, projectId: number): Promise<Revision | undefined> {
  return (await newestRevision(ledgerDb(db), projectId)).rows[0];
}

/**
 * Why the project hands out no work, or null when it may: its last revision found pay at the 75th
 * percentile of actual time below the floor, and since then the requester neither raised the price
 * enough nor accepted top-ups.
 */
export async function pricingStop(db: Kysely<DB>, project: Project, now: number) {
  const rev = await latestRevision(db, project.id);
  if (!rev || rev.below_floor !== 1) return null;
  const accepted = await ledgerDb(db).selectFrom('topup_acceptances').select('id').where('project_id', '=', project.id).where('created_at', '>=', rev.created_at).limit(1).executeTakeFirst();
  if (accepted) return null;
  const card = await currentCardFor(db, project, now);
  const floor = await projectFloor(db, card, now);
  if (card.currency === rev.currency && paysFloorAt(card, rev.p75_ms, floor)) return null;
  return {
    code: 'project_below_floor' as const,
    p75_seconds: Math.ceil(rev.p75_ms / 1000),
    piece_rate_minor: card.pieceRateMinor,
    hourly_at_p75_minor: Math.floor((card.pieceRateMinor * 3_600_000) / Math.max(1, rev.p75_ms)),
    floor_hourly_minor: floor,
    currency: card.currency,
    // The smallest piece rate that pays the floor at the 75th percentile.
    piece_rate_needed_minor: Math.ceil((floor * rev.p75_ms) / 3_600_000),
    since: new Date(rev.created_at).toISOString(),
  };
}

/**
 * Re-estimates every project due (30 submissions, then every 100 more): stores the revision, sets the
 * project's estimate to the median counted time, and marks whether pay at the 75th percentile is below
 * the floor. Returns the projects revised.
 */
export async function reviseEstimates(database: Database, now: number): Promise<string[]> {
  const { db } = database;
  const h = ledgerDb(db);
  const counts = await h.selectFrom('assignments').select(['project_id', (eb) => eb.fn.countAll<number>().as('n')]).where('status', '=', 'submitted').groupBy('project_id').execute();
  const revised: string[] = [];
  for (const c of counts) {
    const n = Number(c.n);
    if (n < FIRST_REVISION_AT) continue;
    const last = await latestRevision(db, c.project_id);
    if (last && n < last.submissions + REVISION_EVERY) continue;
    const project = await findProjectById(db, c.project_id);
    if (!project) continue;
    const times = (await h.selectFrom('assignments').select(['active_ms', 'short_idle_ms']).where('project_id', '=', project.id).where('status', '=', 'submitted').execute()).map((r) => r.active_ms + r.short_idle_ms);
    const median = quantile(times, 0.5) as number;
    const p75 = quantile(times, 0.75) as number;
    const card = await currentCardFor(db, project, now);
    const floor = await projectFloor(db, card, now);
    const seconds = Math.max(1, Math.ceil(median / 1000));
    await h
      .insertInto('estimate_revisions')
      .values({
        project_id: project.id,
        submissions: n,
        median_ms: median,
        p75_ms: p75,
        previous_seconds: project.pay.estimated_seconds,
        estimated_seconds: seconds,
        piece_rate_minor: card.pieceRateMinor,
        floor_hourly_minor: floor,
        currency: card.currency,
        below_floor: paysFloorAt(card, p75, floor) ? 0 : 1,
        created_at: now,
      })
      .execute();
    if (seconds !== project.pay.estimated_seconds) {
      const owner = await db.selectFrom('users').selectAll().where('id', '=', project.ownerId).executeTakeFirstOrThrow();
      // Through the projects service, acting for the owner: only the estimate changes.
      const principal: Principal = { id: owner.id, email: owner.email, role: owner.role, displayName: owner.display_name, languages: JSON.parse(owner.languages), locale: owner.locale, timezone: owner.timezone, active: owner.active === 1, createdAt: owner.created_at, apiKeyId: null, isTest: false };
      await setProjectParams(db, principal, project.name, { pay: { estimated_seconds: seconds } }, false, now);
    }
    revised.push(project.name);
  }
  return revised;
}

/** The requester accepts paying top-ups for this project: it hands out work again at its current price. */
export async function acceptTopups(database: Database, principal: Principal, projectName: string, now: number) {
  const project = await getProjectFor(database.db, principal, projectName);
  await ledgerDb(database.db).insertInto('topup_acceptances').values({ project_id: project.id, accepted_by: principal.id, created_at: now }).execute();
  return payStatus(database.db, project, now);
}

/** The project's pay status for its requester (and the field the project page shows). */
export async function payStatus(db: Kysely<DB>, project: Project, now: number) {
  const rev = await latestRevision(db, project.id);
  return {
    project: project.name,
    estimate: rev
      ? { seconds: rev.estimated_seconds, median_seconds: Math.ceil(rev.median_ms / 1000), p75_seconds: Math.ceil(rev.p75_ms / 1000), from_submissions: rev.submissions, revised_at: new Date(rev.created_at).toISOString() }
      : { seconds: project.pay.estimated_seconds, median_seconds: null, p75_seconds: null, from_submissions: 0, revised_at: null },
    work_stopped: await pricingStop(db, project, now),
  };
}
