import { type Kysely, type RawBuilder, sql } from 'kysely';
import { AppError } from '../../server/errors.ts';
import type { DB } from '../../db/index.ts';
import type { Project } from '../projects/index.ts';
import { pricingStop } from './estimates.service.ts';
import { currentCardFor } from './pay.service.ts';
import { accessOf } from './sanctions.service.ts';

/** Per database and project, the updated_at at which this process last made sure its rate card is current. */
const syncedAtByDb = new WeakMap<Kysely<DB>, Map<number, number>>();

/** What the claim's own first read tells the ledger, so that checks with nothing to find cost no statement. */
export interface ClaimFlags {
  /** The worker has a sanction of any kind or state. */
  anySanction: boolean;
  /** The project's newest estimate found its pay below the floor. */
  belowFloor: boolean;
}

// The two flags' tests, written once so the columns and the condition below always agree.
const sanctionExists = (workerId: number) => sql<boolean>`EXISTS (SELECT 1 FROM sanctions s WHERE s.worker_id = ${workerId})`;
const newestBelowFloor = (projectId: number | RawBuilder<unknown>) =>
  sql<number | null>`(SELECT e.below_floor FROM estimate_revisions e WHERE e.project_id = ${projectId} ORDER BY e.id DESC LIMIT 1)`;

/**
 * Columns giving ClaimFlags (as 0/1), for the claim's lookup of its project, aliased `p`.
 * Read them back with claimFlagsOf.
 */
export function claimFlagColumns(workerId: number) {
  return [sql<number>`CASE WHEN ${sanctionExists(workerId)} THEN 1 ELSE 0 END`.as('any_sanction'), newestBelowFloor(sql.ref('p.id')).as('below_floor')] as const;
}

/**
 * A condition true when both ClaimFlags are clear for this worker and project: what a claim that
 * skipped reading the flags must check in its own statement.
 */
export function claimFlagsClear(projectId: number, workerId: number) {
  return sql<boolean>`NOT ${sanctionExists(workerId)} AND COALESCE(${newestBelowFloor(projectId)}, 0) <> 1`;
}

export function claimFlagsOf(row: { any_sanction: number; below_floor: number | null }): ClaimFlags {
  return { anySanction: Number(row.any_sanction) === 1, belowFloor: Number(row.below_floor) === 1 };
}

/**
 * Ledger checks before a claim: a suspended or deactivated worker gets no work, nor does one
 * restricted from the project (rule 8); a project whose pay at the 75th percentile of actual time is
 * below the floor hands out none (rule 2), saying why. Throws worker_suspended, project_restricted,
 * project_below_floor. With `flags` from the claim's own read, skips the checks they show empty. */
export async function checkClaimAllowed(db: Kysely<DB>, workerId: number, project: Project, now: number, flags?: ClaimFlags): Promise<void> {
  // From the first claim on, the project's pay is a rate card version, so a later change is one too.
  // Cards are never deleted and a pay change moves the project's updated_at, so once synced at a
  // given updated_at there is nothing to sync again until it moves.
  let syncedAt = syncedAtByDb.get(db);
  if (!syncedAt) syncedAtByDb.set(db, (syncedAt = new Map()));
  if (syncedAt.get(project.id) !== project.updatedAt) {
    await currentCardFor(db, project, now);
    syncedAt.set(project.id, project.updatedAt);
  }
  if (flags?.anySanction !== false) {
    const access = await accessOf(db, workerId, now);
    if (access.barred) throw new AppError('worker_suspended', undefined, { level: access.barred });
    if (access.restrictedProjects.has(project.id)) throw new AppError('project_restricted');
  }
  const stop = flags?.belowFloor === false ? null : await pricingStop(db, project, now);
  if (stop) throw new AppError('project_below_floor', undefined, stop);
}
