import { type Kysely, sql } from 'kysely';
import { type Database, type DB, prepared } from '../../db/index.ts';
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
 * How many good workers answered the gold item, and how many of them scored it wrong: counted by the
 * database, so a gold submit reads one row however many workers answered the item.
 */
const disputeOf = prepared((db: Kysely<DB>, taskId: number) =>
  sql<{ good: number; wrong: number | null }>`SELECT COUNT(*) AS good, SUM(CASE WHEN a.gold_score < 0.5 THEN 1 ELSE 0 END) AS wrong
    FROM assignments a JOIN worker_quality q ON q.worker_id = a.worker_id AND q.project_id = a.project_id
    WHERE a.task_id = ${taskId} AND a.status = 'submitted' AND a.gold_score IS NOT NULL
      AND q.gold_n - 1 >= ${sql.lit(MIN_OTHER_GOLD)} AND q.gold_correct - a.gold_score > ${sql.lit(GOOD_WORKER)} * (q.gold_n - 1)`,
);

/** Below this many answers to the item, every answer re-checks it (see disputeCheckDue). */
const CHECK_EVERY_ANSWER_BELOW = 128;

/**
 * Whether the item's answer number `answers` re-checks it. The check reads every answer of the item,
 * and a gold item is answered by every worker who meets it: checked at each answer, a crowd of 10,000
 * would cost 10,000 rows at each gold submit. Below 128 answers every one checks; from there every 2nd,
 * from 256 every 4th, and so on: the check costs fewer than 128 rows per answer on average however
 * large the crowd, and an item is judged again before its answers grow by more than 1/64.
 */
export function disputeCheckDue(answers: number): boolean {
  if (answers < CHECK_EVERY_ANSWER_BELOW) return true;
  return answers % 2 ** (Math.floor(Math.log2(answers)) - 6) === 0;
}

function disputed(good: number, wrong: number): boolean {
  return good >= MIN_GOOD_WORKERS && wrong >= DISPUTED_SHARE * good;
}

/**
 * FAIRWORK rule 10: a gold item that good workers keep disagreeing with is more likely wrong than
 * they are. After an answer to a gold item (each answer, or on a large crowd each answer disputeCheckDue
 * picks; `answers`: how many the item has with it), if at least 30% of the good workers who answered it
 * (accuracy above 0.8 on the other items) scored it wrong, the item is withdrawn (canceled, sub_status
 * "quarantined") and every score it touched is recomputed without it. The check is one read; only a
 * disputed item takes a transaction of its own after the submit, which decides again on what it reads
 * and locks the task row first, then the workers' rows in id order. Returns true when it quarantined the item.
 */
export async function quarantineIfDisputed(database: Database, taskId: number, project: Project, now: number, answers: number): Promise<boolean> {
  if (!disputeCheckDue(answers)) return false;
  const [counts] = (await disputeOf(database.db, taskId)).rows;
  if (!counts || !disputed(Number(counts.good), Number(counts.wrong ?? 0))) return false;
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
    const good = answers.filter((a) => a.gold_n - 1 >= MIN_OTHER_GOLD && a.gold_correct - (a.gold_score as number) > GOOD_WORKER * (a.gold_n - 1));
    if (!disputed(good.length, good.filter((a) => (a.gold_score as number) < 0.5).length)) return false;
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
