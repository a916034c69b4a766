import type { Database } from '../db/index.ts';
import { pruneRateWindows } from '../modules/accounts/index.ts';
import { expireDue } from '../modules/assignment/index.ts';
import { reestimateDueProjects } from '../modules/quality/index.ts';
import { prelabelDueTasks } from '../modules/tasks/index.ts';
import { drainDueWebhooks } from '../modules/webhooks/index.ts';
import { ledgerJobs } from '../modules/ledger/index.ts';

export interface JobContext {
  database: Database;
  now: () => number;
  log: { error: (obj: object, msg: string) => void };
}

interface Job {
  name: string;
  everyMs: number;
  run(ctx: JobContext): Promise<void>;
}

/** Jobs of every module; each must be safe to run on several nodes at once. */
const jobs: Job[] = [
  // Frees the slots of leases that ran out even when nobody claims in that project.
  { name: 'expire-leases', everyMs: 5_000, run: async (ctx) => void (await expireDue(ctx.database, ctx.now())) },
  // Full Dawid-Skene over projects that gained enough answers; one node at a time.
  { name: 'quality-reestimate', everyMs: 60_000, run: async (ctx) => void (await reestimateDueProjects(ctx.database, ctx.now())) },
  // Signed callbacks from the outbox, with retries; at least once, never lost. Drains a backlog in one run.
  { name: 'deliver-webhooks', everyMs: 1_000, run: async (ctx) => void (await drainDueWebhooks(ctx.database, ctx.now)) },
  // Model pre-labels for new tasks of projects with a model endpoint.
  { name: 'prelabel', everyMs: 2_000, run: async (ctx) => void (await prelabelDueTasks(ctx.database, ctx.now)) },
  { name: 'prune-rate-windows', everyMs: 15 * 60 * 1000, run: (ctx) => pruneRateWindows(ctx.database.db, ctx.now() - 3600 * 1000) },
  // Week closes, review deadlines, overdue appeals, estimates (FAIRWORK.md).
  ...ledgerJobs,
];

/** Starts the periodic jobs; returns a handle to stop them. A failing run is logged and retried next period. */
export function startJobs(ctx: JobContext): { stop(): void } {
  const timers = jobs.map((job) => {
    // A run that outlasts its period is not started twice in this process.
    let running = false;
    return setInterval(() => {
      if (running) return;
      running = true;
      job
        .run(ctx)
        .catch((err) => ctx.log.error({ err, job: job.name }, 'job failed'))
        .finally(() => {
          running = false;
        });
    }, job.everyMs);
  });
  for (const t of timers) t.unref();
  return { stop: () => timers.forEach(clearInterval) };
}

/** Registers a module's job. */
export function registerJob(job: Job): void {
  jobs.push(job);
}
