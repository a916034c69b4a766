import type { Database } from '../../db/index.ts';
import { expireStaleActivities } from './activity.service.ts';
import { resolveOverdueAppeals } from './appeals.service.ts';
import { approveDueReviews } from './decisions.service.ts';
import { reviseEstimates } from './estimates.service.ts';
import { closeDueWeeks } from './week-close.service.ts';

interface LedgerJobContext {
  database: Database;
  now: () => number;
  log: { error: (obj: object, msg: string) => void };
}

/**
 * The ledger's periodic jobs, in the shape src/jobs/index.ts registers (registerJob). Each is safe on
 * several nodes at once: closes hold the chain head, the others write idempotently.
 */
export const ledgerJobs: { name: string; everyMs: number; run(ctx: LedgerJobContext): Promise<void> }[] = [
  {
    // Closes worker-weeks that ended (plus grace): top-ups, overtime, adjustments, payouts, the hash chain.
    name: 'ledger-close-weeks',
    everyMs: 60_000,
    run: async (ctx) => {
      const result = await closeDueWeeks(ctx.database, ctx.now());
      for (const d of result.deferred) ctx.log.error({ worker_id: d.worker_id, week: d.week, code: d.code }, d.message);
    },
  },
  // Ends pre-work sessions whose heartbeats stopped, so their time is recorded and paid.
  { name: 'ledger-expire-activities', everyMs: 30_000, run: async (ctx) => void (await expireStaleActivities(ctx.database, ctx.now())) },
  // Rule 6: unreviewed answers are approved (and paid) at the review deadline.
  { name: 'ledger-review-deadline', everyMs: 5 * 60_000, run: async (ctx) => void (await approveDueReviews(ctx.database, ctx.now())) },
  // Rule 7: a money appeal unanswered for 14 days resolves for the worker.
  { name: 'ledger-overdue-appeals', everyMs: 5 * 60_000, run: async (ctx) => void (await resolveOverdueAppeals(ctx.database, ctx.now())) },
  // Rule 2: estimates from actual times after 30 submissions and every 100 more; the pay stop.
  { name: 'ledger-estimates', everyMs: 5 * 60_000, run: async (ctx) => void (await reviseEstimates(ctx.database, ctx.now())) },
];
