import { type Migration, Migrator } from 'kysely';
import type { Database } from './dialect.ts';
import * as foundation from './migrations/0001-foundation.ts';
import * as work from './migrations/0002-work.ts';
import * as quality from './migrations/0003-quality.ts';
import * as delivery from './migrations/0004-delivery.ts';
import * as exportsTable from './migrations/0005-exports.ts';
import * as ledger from './migrations/0006-ledger.ts';
import * as prelabels from './migrations/0007-prelabels.ts';
import * as queueIndex from './migrations/0008-queue-index.ts';
import * as countStripes from './migrations/0009-count-stripes.ts';
import * as leanWriteIndexes from './migrations/0010-lean-write-indexes.ts';
import * as prelabelDueIndex from './migrations/0011-prelabel-due-index.ts';
import * as assignmentShape from './migrations/0012-assignment-shape.ts';
import * as activeLeasesIndex from './migrations/0013-active-leases-index.ts';
import * as pendingDecisionsIndex from './migrations/0014-pending-decisions-index.ts';
import * as activeLeasesOnly from './migrations/0015-active-leases-only.ts';
import * as goldAnswersIndex from './migrations/0016-gold-answers-index.ts';

/** Migrations in order. Append only: a landed migration is never edited. */
const migrations: Record<string, { up: typeof foundation.up }> = {
  '0001-foundation': foundation,
  '0002-work': work,
  '0003-quality': quality,
  '0004-delivery': delivery,
  '0005-exports': exportsTable,
  '0006-ledger': ledger,
  '0007-prelabels': prelabels,
  '0008-queue-index': queueIndex,
  '0009-count-stripes': countStripes,
  '0010-lean-write-indexes': leanWriteIndexes,
  '0011-prelabel-due-index': prelabelDueIndex,
  '0012-assignment-shape': assignmentShape,
  '0013-active-leases-index': activeLeasesIndex,
  '0014-pending-decisions-index': pendingDecisionsIndex,
  '0015-active-leases-only': activeLeasesOnly,
  '0016-gold-answers-index': goldAnswersIndex,
};

/**
 * Brings the schema up to date. Safe to run from several processes at once: Kysely's
 * migrator takes a lock, so one node migrates and the others wait. Throws on failure.
 */
export async function migrateToLatest({ db, dialect }: Database): Promise<string[]> {
  const migrator = new Migrator({
    db,
    // Migrations of separate features may land in either order; each is independent of the others.
    allowUnorderedMigrations: true,
    provider: {
      async getMigrations() {
        const out: Record<string, Migration> = {};
        for (const [name, m] of Object.entries(migrations)) out[name] = { up: (k) => m.up(k, dialect) };
        return out;
      },
    },
  });
  // The migrator's one transaction may rewrite whole tables: a bulk one (see bulkTransaction).
  const { error, results } = await dialect.whileBulk(() => migrator.migrateToLatest());
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
