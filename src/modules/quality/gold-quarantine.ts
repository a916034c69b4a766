import type { Database } from '../../db/index.ts';
import { moveTaskCount, type Project } from '../projects/index.ts';

/** Workers whose accuracy on the other gold items is above this count as good workers. */
const GOOD_WORKER = 0.8;
/** The item is quarantined when at least this share of good workers scored it wrong... */
const DISPUTED_SHARE = 0.3;
/** ...once this many good workers have answered it (fewer is too little to judge the item). */
const MIN_GOOD_WORKERS = 5;
/** A worker's accuracy needs this many other gold answers before it counts. */
const MIN_OTHER_GOLD = 3;

/**
 * FAIRWORK rule 10: a gold item that good workers keep disagreeing with is more likely wrong than
 * they are. After each answer to a gold item, if at least 30% of the good workers who answered it
 * (accuracy above 0.8 on the other items) scored it wrong, the item is withdrawn (canceled, sub_status
 * "quarantined") and every score it touched is recomputed without it. Runs in a transaction of its
 * own after the submit: the task row first, then the workers' rows in id order. Returns true when
 * it quarantined the item.
 */
export async function quarantineIfDisputed(database: Database, taskId: number, project: Project, now: number): Promise<boolean> {
  return database.db.transaction().execute(async (trx) => {
    const answers = await trx
      .selectFrom('assignments')
      .innerJoin('worker_quality', (join) => join.onRef('worker_quality.worker_id', '=', 'assignments.worker_id').onRef('worker_quality.project_id', '=', 'assignments.project_id'))
      .select(['assignments.worker_id', 'assignments.gold_score', 'worker_quality.gold_n', 'worker_quality.gold_correct'])
      .where('assignments.task_id', '=', taskId)
      .where('assignments.status', '=', 'submitted')
      .where('assignments.gold_score', 'is not', null)
      .orderBy('assignments.worker_id')
      .execute();
    const good = answers.filter((a) => a.gold_n - 1 >= MIN_OTHER_GOLD && (a.gold_correct - (a.gold_score as number)) / (a.gold_n - 1) > GOOD_WORKER);
    if (good.length < MIN_GOOD_WORKERS) return false;
    const wrong = good.filter((a) => (a.gold_score as number) < 0.5).length;
    if (wrong < DISPUTED_SHARE * good.length) return false;
    const withdrawn = await trx
      .updateTable('tasks')
      .set({ status: 'canceled', sub_status: 'quarantined', updated_at: now })
      .where('id', '=', taskId)
      .where('is_gold', '=', 1)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(withdrawn.numUpdatedRows) === 0) return false;
    await moveTaskCount(trx, project.id, 'pending', 'canceled');
    for (const a of answers) {
      await trx
        .updateTable('worker_quality')
        .set((eb) => ({ gold_n: eb('gold_n', '-', 1), gold_correct: eb('gold_correct', '-', a.gold_score as number), updated_at: now }))
        .where('project_id', '=', project.id)
        .where('worker_id', '=', a.worker_id)
        .execute();
    }
    return true;
  });
}
