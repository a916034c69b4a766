import type { Selectable, Transaction } from 'kysely';
import type { DB, TasksTable } from '../../db/index.ts';
import { moveTaskCount, type Project } from '../projects/index.ts';

export type CompletedTask = Selectable<TasksTable>;

/**
 * An answer that counts toward the completed task, with what its pay needs, as the completing
 * transaction read it under the task's lock (to decide on the task): hooks need not read them again.
 */
export interface CountingAnswer {
  id: number;
  worker_id: number;
  project_id: number;
  task_id: number;
  claimed_at: number;
  shown: string;
  /** Whether its piece pay is in the ledger already. */
  piece_booked: boolean;
}

/**
 * Hooks run inside the transaction that completes a task (callbacks, ledger entries hang here).
 * A hook that throws rolls the completion back, so a completed task always has its hooks' effects.
 * `answers`: the task's counting answers, when the caller read them in this transaction.
 */
export type CompletionHook = (trx: Transaction<DB>, task: CompletedTask, project: Project, now: number, answers?: readonly CountingAnswer[]) => Promise<void>;
const completionHooks: CompletionHook[] = [];

/** Registers a hook run whenever a task completes. */
export function onTaskCompleted(hook: CompletionHook): void {
  completionHooks.push(hook);
}

/**
 * Bookkeeping for a task that just became completed (`task` is its row as the completing write
 * left it): moves the project's counters and runs the completion hooks, in the caller's transaction.
 */
export async function taskCompletedIn(trx: Transaction<DB>, task: CompletedTask, project: Project, now: number, answers?: readonly CountingAnswer[]): Promise<void> {
  await moveTaskCount(trx, project.id, 'pending', 'completed');
  for (const hook of completionHooks) await hook(trx, task, project, now, answers);
}
