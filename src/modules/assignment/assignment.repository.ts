import { type ExpressionBuilder, type Kysely, type RawBuilder, type Selectable, sql, type Transaction } from 'kysely';
import { type AssignmentsTable, type Database, type DB, type DialectAdapter, prepared, type TasksTable, writeBehind } from '../../db/index.ts';
import { type ClaimFlags, claimFlagColumns, claimFlagsClear, claimFlagsOf, type KnownLedgerRows, knownAccountColumn, knownLatestCard, latestCardIdColumn, withKnownAccount } from '../ledger/index.ts';
import { findProjectAsOf, type Project, toProject } from '../projects/index.ts';
import type { TimeState } from './time-accounting.ts';

export type AssignmentRow = Selectable<AssignmentsTable>;
export type TaskRecord = Selectable<TasksTable>;

/**
 * The next task this worker may take in the project: open slots, never held by this worker, in claim
 * order (priority, fewest answers still needed, oldest). `lock` row-locks it; on PostgreSQL rows other
 * claimers hold are skipped, so concurrent claims spread over tasks. Gold tasks come in id order, from
 * the first after `goldAfter` (see goldHints).
 */
function nextTask(projectId: number, workerId: number, gold: boolean, lock: string, guard?: RawBuilder<unknown>, goldAfter = 0) {
  const guarded = guard ? sql`AND ${guard}` : sql``;
  return gold
    ? sql<TaskRecord>`SELECT * FROM tasks t
        WHERE t.project_id = ${projectId} AND t.status = 'pending' AND t.is_gold = 1 AND t.is_test = 0 AND t.held = 0 AND t.id > ${goldAfter}
          AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = t.id AND a.worker_id = ${workerId})
          ${guarded}
        ORDER BY t.project_id, t.id
        LIMIT 1 ${sql.raw(lock)}`
    : sql<TaskRecord>`SELECT * FROM tasks t
        WHERE t.project_id = ${projectId} AND t.status = 'pending' AND t.is_gold = 0 AND t.is_test = 0 AND t.held = 0
          AND t.responses_required > t.answers_count + t.active_count
          AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = t.id AND a.worker_id = ${workerId})
          ${guarded}
        ORDER BY t.project_id, t.priority DESC, (t.responses_required - t.answers_count), t.id
        LIMIT 1 ${sql.raw(lock)}`;
}

/**
 * For a claim that did not read its project first but used a copy read earlier: the copy must still
 * be the project as it stands (updated_at only moves forward), and the ledger's claim flags clear.
 */
function projectStillAsRead(projectId: number, workerId: number, updatedAt: number) {
  return sql`EXISTS (SELECT 1 FROM projects p WHERE p.id = ${projectId} AND p.updated_at = ${updatedAt}) AND ${claimFlagsClear(projectId, workerId)}`;
}

/** The four shapes of nextTask (gold or not, guarded by projectStillAsRead or not) for one lock clause, prepared. */
function nextTaskStatementsFor(lock: string) {
  return {
    regular: prepared((db: Kysely<DB>, projectId: number, workerId: number) => nextTask(projectId, workerId, false, lock)),
    regularGuarded: prepared((db: Kysely<DB>, projectId: number, workerId: number, readAt: number) => nextTask(projectId, workerId, false, lock, projectStillAsRead(projectId, workerId, readAt))),
    gold: prepared((db: Kysely<DB>, projectId: number, workerId: number, after: number) => nextTask(projectId, workerId, true, lock, undefined, after)),
    goldGuarded: prepared((db: Kysely<DB>, projectId: number, workerId: number, after: number, readAt: number) =>
      nextTask(projectId, workerId, true, lock, projectStillAsRead(projectId, workerId, readAt), after),
    ),
  };
}
const nextTaskStatements = new Map<string, ReturnType<typeof nextTaskStatementsFor>>();

function nextTaskStatementsOf(lock: string): ReturnType<typeof nextTaskStatementsFor> {
  let statements = nextTaskStatements.get(lock);
  if (!statements) nextTaskStatements.set(lock, (statements = nextTaskStatementsFor(lock)));
  return statements;
}

/**
 * The next task this worker may take (see nextTask), locked for the rest of the transaction. With
 * `readAt`, only if the project's copy read then is still current and the ledger's claim flags clear
 * (see claimNextTask).
 */
export async function lockNextTask(trx: Transaction<DB>, dialect: DialectAdapter, projectId: number, workerId: number, gold: boolean, readAt?: number): Promise<TaskRecord | undefined> {
  const statements = nextTaskStatementsOf(dialect.forUpdateSkipLocked);
  if (!gold) return (readAt === undefined ? await statements.regular(trx, projectId, workerId) : await statements.regularGuarded(trx, projectId, workerId, readAt)).rows[0];
  const search = async (after: number) => (readAt === undefined ? await statements.gold(trx, projectId, workerId, after) : await statements.goldGuarded(trx, projectId, workerId, after, readAt)).rows[0];
  return goldHints.find(dialect, projectId, workerId, search, (task) => task.id);
}

/**
 * Where each worker's next gold task lies. Gold tasks go to every worker who meets them, each in id
 * order, so a search from the first gold task would step over every one the worker already answered:
 * a gold claim would grow with the worker's history (46-61 us after 67 gold answers, 15-19 us from the last). A
 * hint this process keeps per database, not a record: the search starts after the last gold task the
 * worker took here, and only when it finds nothing there looks again from the first (for a task another
 * claim held locked then, or one held back, or the first claim after a restart).
 */
const goldHints = {
  byDatabase: new WeakMap<DialectAdapter, Map<string, number>>(),
  /** Workers remembered per database at most; past that it starts over (each worker's next gold claim searches from the first). */
  atMost: 100_000,
  async find<T>(dialect: DialectAdapter, projectId: number, workerId: number, search: (after: number) => Promise<T | undefined>, idOf: (found: T) => number): Promise<T | undefined> {
    let last = this.byDatabase.get(dialect);
    if (!last) this.byDatabase.set(dialect, (last = new Map()));
    const key = `${projectId}:${workerId}`;
    const after = last.get(key) ?? 0;
    const found = (await search(after)) ?? (after > 0 ? await search(0) : undefined);
    if (found !== undefined && idOf(found) > after) {
      if (last.size >= this.atMost) last.clear();
      last.set(key, idOf(found));
    }
    return found;
  },
};

export interface NewAssignment {
  taskId: number;
  projectId: number;
  workerId: number;
  isGold: boolean;
  now: number;
  leaseMs: number;
  idleGraceMs: number;
  shown: string;
}

// The statements of every claim and submit are prepared once (see prepared()).
const insertActive = prepared((db: Kysely<DB>, taskId: number, projectId: number, workerId: number, isGold: number, now: number, leaseExpiresAt: number, shown: string, idleGraceMs: number) =>
  db
    .insertInto('assignments')
    .values({
      task_id: taskId,
      project_id: projectId,
      worker_id: workerId,
      status: 'active',
      is_gold: isGold,
      claimed_at: now,
      lease_expires_at: leaseExpiresAt,
      shown,
      last_signal_at: now,
      idle_grace_ms: idleGraceMs,
    }),
);
// Where the driver does not report the new row's id (PostgreSQL, whose claims do not come here).
const assignmentIdOf = prepared((db: Kysely<DB>, taskId: number, workerId: number) => db.selectFrom('assignments').select('id').where('task_id', '=', taskId).where('worker_id', '=', workerId));
const takeSlot = prepared((db: Kysely<DB>, taskId: number, now: number) =>
  db
    .updateTable('tasks')
    .set((eb) => ({ active_count: eb('active_count', '+', 1), sub_status: 'in_progress', updated_at: now }))
    .where('id', '=', taskId),
);

/**
 * Inserts an active assignment and takes a slot on its task; returns the row as inserted, made here from
 * the values and the columns' defaults (RETURNING made SQLite's insert about 70% dearer). Needs the task
 * locked.
 */
export async function insertAssignment(trx: Transaction<DB>, a: NewAssignment): Promise<AssignmentRow> {
  const isGold = a.isGold ? 1 : 0;
  const leaseExpiresAt = a.now + a.leaseMs;
  const { insertId } = await insertActive(trx, a.taskId, a.projectId, a.workerId, isGold, a.now, leaseExpiresAt, a.shown, a.idleGraceMs);
  const id = insertId !== undefined ? Number(insertId) : (await assignmentIdOf(trx, a.taskId, a.workerId)).rows[0].id;
  await takeSlot(trx, a.taskId, a.now);
  return {
    id,
    task_id: a.taskId,
    project_id: a.projectId,
    worker_id: a.workerId,
    status: 'active',
    is_gold: isGold,
    claimed_at: a.now,
    lease_expires_at: leaseExpiresAt,
    ended_at: null,
    response: null,
    gold_score: null,
    skip_reason: null,
    shown: a.shown,
    active_ms: 0,
    short_idle_ms: 0,
    long_idle_ms: 0,
    idle_streak_ms: 0,
    last_signal_at: a.now,
    idle_grace_ms: a.idleGraceMs,
    review_status: null,
  };
}

export type Claim = Omit<NewAssignment, 'taskId' | 'isGold'>;

/**
 * Two claims of one worker at once (two tabs, a double click) may pick the same task on PostgreSQL: a
 * claim whose statement began before the other committed does not see that assignment, and reaches the
 * task once the other no longer locks it. The unique (task, worker) index refuses it, the statement changed
 * nothing, and the claim runs again, now seeing the other's assignment.
 */
function isSecondHoldOfTask(error: unknown): boolean {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && e.constraint === 'assignments_task_worker';
}
const CLAIM_ATTEMPTS = 5;

/**
 * Gives the worker the next task (a gold one first when `goldFirst`, else or failing that a regular
 * one): takes a slot on it and inserts the active assignment, atomically. Undefined when nothing is
 * eligible. Where the database allows (writableCte) each attempt is one statement, so no transaction
 * holds the task locked while the server and the database trade round trips. With `readAt`, the caller
 * used a copy of the project read earlier, whose updated_at that is: the claim then also checks that
 * the copy is still current and the ledger's claim flags clear, and claims nothing otherwise.
 */
export async function claimNextTask(database: Database, a: Claim, goldFirst: boolean, readAt?: number): Promise<{ row: AssignmentRow; task: TaskRecord } | undefined> {
  const { db, dialect } = database;
  if (dialect.writableCte) {
    for (let attempt = 1; ; attempt++) {
      try {
        return (goldFirst ? await claimInOneStatement(database, a, true, readAt) : undefined) ?? (await claimInOneStatement(database, a, false, readAt));
      } catch (error) {
        if (attempt >= CLAIM_ATTEMPTS || !isSecondHoldOfTask(error)) throw error;
      }
    }
  }
  return db.transaction().execute(async (trx) => {
    let task = goldFirst ? await lockNextTask(trx, dialect, a.projectId, a.workerId, true, readAt) : undefined;
    task ??= await lockNextTask(trx, dialect, a.projectId, a.workerId, false, readAt);
    if (!task) return undefined;
    return { row: await insertAssignment(trx, { ...a, taskId: task.id, isGold: task.is_gold === 1 }), task };
  });
}

/**
 * The claim as one statement, for databases with writableCte (so PostgreSQL's SQL): what lockNextTask
 * then insertAssignment do. The task comes back as it was read, before its slot was taken, as
 * lockNextTask returns it.
 */
const claimSql = (gold: boolean, projectId: number, workerId: number, now: number, leaseExpiresAt: number, shown: string, idleGraceMs: number, goldAfter = 0, guard?: RawBuilder<unknown>) =>
  sql<{ assignment: AssignmentRow; task: TaskRecord }>`WITH next AS (${nextTask(projectId, workerId, gold, 'FOR UPDATE SKIP LOCKED', guard, goldAfter)}),
    slot AS (UPDATE tasks SET active_count = tasks.active_count + 1, sub_status = 'in_progress', updated_at = ${now}::bigint FROM next WHERE tasks.id = next.id RETURNING tasks.id),
    inserted AS (
      INSERT INTO assignments (task_id, project_id, worker_id, status, is_gold, claimed_at, lease_expires_at, shown, last_signal_at, idle_grace_ms)
      SELECT slot.id, ${projectId}::bigint, ${workerId}::bigint, 'active', next.is_gold, ${now}::bigint, ${leaseExpiresAt}::bigint, ${shown}::text, ${now}::bigint, ${idleGraceMs}::bigint
      FROM next JOIN slot ON slot.id = next.id
      RETURNING *)
    SELECT row_to_json(inserted) AS assignment, row_to_json(next) AS task FROM inserted CROSS JOIN next`;
const claimStatements = {
  regular: prepared((db: Kysely<DB>, projectId: number, workerId: number, now: number, leaseExpiresAt: number, shown: string, idleGraceMs: number) =>
    claimSql(false, projectId, workerId, now, leaseExpiresAt, shown, idleGraceMs),
  ),
  regularGuarded: prepared((db: Kysely<DB>, projectId: number, workerId: number, now: number, leaseExpiresAt: number, shown: string, idleGraceMs: number, readAt: number) =>
    claimSql(false, projectId, workerId, now, leaseExpiresAt, shown, idleGraceMs, 0, projectStillAsRead(projectId, workerId, readAt)),
  ),
  gold: prepared((db: Kysely<DB>, projectId: number, workerId: number, now: number, leaseExpiresAt: number, shown: string, idleGraceMs: number, after: number) =>
    claimSql(true, projectId, workerId, now, leaseExpiresAt, shown, idleGraceMs, after),
  ),
  goldGuarded: prepared((db: Kysely<DB>, projectId: number, workerId: number, now: number, leaseExpiresAt: number, shown: string, idleGraceMs: number, after: number, readAt: number) =>
    claimSql(true, projectId, workerId, now, leaseExpiresAt, shown, idleGraceMs, after, projectStillAsRead(projectId, workerId, readAt)),
  ),
};

async function claimInOneStatement({ db, dialect }: Database, a: Claim, gold: boolean, readAt?: number): Promise<{ row: AssignmentRow; task: TaskRecord } | undefined> {
  const values = [db, a.projectId, a.workerId, a.now, a.now + a.leaseMs, a.shown, a.idleGraceMs] as const;
  const taken = (rows: Array<{ assignment: AssignmentRow; task: TaskRecord }>) => rows[0] && { row: rows[0].assignment, task: rows[0].task };
  if (!gold) return taken((await (readAt === undefined ? claimStatements.regular(...values) : claimStatements.regularGuarded(...values, readAt))).rows);
  const search = async (after: number) => taken((await (readAt === undefined ? claimStatements.gold(...values, after) : claimStatements.goldGuarded(...values, after, readAt))).rows);
  return goldHints.find(dialect, a.projectId, a.workerId, search, (claimed) => claimed.task.id);
}

const assignmentForUpdate = prepared((db: Kysely<DB>, id: number) => db.selectFrom('assignments').selectAll().where('id', '=', id).forUpdate());

/** Locks an assignment for the rest of the transaction; undefined when there is none. */
export async function lockAssignment(trx: Transaction<DB>, id: number): Promise<AssignmentRow | undefined> {
  return (await assignmentForUpdate(trx, id)).rows[0];
}

const assignmentWithLeaseForUpdate = prepared((db: Kysely<DB>, id: number) =>
  db.selectFrom('assignments as a').innerJoin('projects as p', 'p.id', 'a.project_id').selectAll('a').select('p.lease_seconds').where('a.id', '=', id).forUpdate(['a']),
);

/** Locks an assignment for the rest of the transaction and reads its project's lease length with it (a heartbeat's one read). */
export async function lockAssignmentWithLease(trx: Transaction<DB>, id: number): Promise<(AssignmentRow & { leaseSeconds: number }) | undefined> {
  const [found] = (await assignmentWithLeaseForUpdate(trx, id)).rows;
  if (!found) return undefined;
  const { lease_seconds, ...row } = found;
  return { ...row, leaseSeconds: lease_seconds };
}

/** A submit's first read: its assignment and task (both locked), project, the newest rate card, and on rowToJson the worker's ledger account too. */
export interface SubmitContext {
  row: AssignmentRow;
  task: TaskRecord;
  project: Project;
  ledger?: KnownLedgerRows;
}

const assignmentWithContext = prepared((db: Kysely<DB>, id: number) =>
  db
    .selectFrom('assignments as a')
    .innerJoin('tasks as t', 't.id', 'a.task_id')
    .innerJoin('projects as p', 'p.id', 'a.project_id')
    .select([sql<AssignmentRow>`row_to_json(a)`.as('assignment'), sql<TaskRecord>`row_to_json(t)`.as('task'), 'p.updated_at as project_updated_at', latestCardIdColumn(), knownAccountColumn()])
    .where('a.id', '=', id)
    .forUpdate(['a', 't']),
);

// Elsewhere: the task, and what tells whether copies read earlier of its project and newest rate card are current.
const taskForSubmit = prepared((db: Kysely<DB>, id: number) =>
  db
    .selectFrom('tasks as t')
    .innerJoin('projects as p', 'p.id', 't.project_id')
    .selectAll('t')
    .select(['p.updated_at as project_updated_at', latestCardIdColumn()])
    .where('t.id', '=', id),
);

/**
 * Locks the assignment and its task and reads what a submit needs with them. Where a statement is a
 * round trip (rowToJson) that is one statement, locking both rows, with the worker's ledger account;
 * elsewhere one for the assignment and one for the task, under the transaction's hold on the whole
 * database. Either way the project and its newest rate card come from copies read earlier while the
 * statement shows them current (read afresh otherwise). Undefined when there is no such assignment.
 */
export async function lockForSubmit(trx: Transaction<DB>, database: Database, id: number): Promise<SubmitContext | undefined> {
  if (database.dialect.rowToJson) {
    const [found] = (await assignmentWithContext(trx, id)).rows;
    if (!found) return undefined;
    const project = await findProjectAsOf(database.db, trx, found.task.project_id, found.project_updated_at);
    return project && { row: found.assignment, task: found.task, project, ledger: withKnownAccount(await knownLatestCard(database.db, trx, project.id, found.latest_card_id), found) };
  }
  const row = await lockAssignment(trx, id);
  if (!row) return undefined;
  const [found] = (await taskForSubmit(trx, row.task_id)).rows;
  if (!found) return undefined;
  const { project_updated_at, latest_card_id, ...task } = found;
  const project = await findProjectAsOf(database.db, trx, task.project_id, project_updated_at);
  return project && { row, task, project, ledger: await knownLatestCard(database.db, trx, project.id, latest_card_id) };
}

export async function findAssignment(db: Kysely<DB>, id: number): Promise<AssignmentRow | undefined> {
  return db.selectFrom('assignments').selectAll().where('id', '=', id).executeTakeFirst();
}

const taskWithId = prepared((db: Kysely<DB>, id: number) => db.selectFrom('tasks').selectAll().where('id', '=', id));

export async function findTask(db: Kysely<DB> | Transaction<DB>, id: number): Promise<TaskRecord | undefined> {
  return (await taskWithId(db, id)).rows[0];
}

export function timeOf(row: AssignmentRow): TimeState {
  return {
    activeMs: row.active_ms,
    shortIdleMs: row.short_idle_ms,
    longIdleMs: row.long_idle_ms,
    idleStreakMs: row.idle_streak_ms,
    lastSignalAt: row.last_signal_at,
    idleGraceMs: row.idle_grace_ms,
  };
}

function timeColumns(t: TimeState) {
  return { active_ms: t.activeMs, short_idle_ms: t.shortIdleMs, long_idle_ms: t.longIdleMs, idle_streak_ms: t.idleStreakMs, last_signal_at: t.lastSignalAt };
}

const saveTimeAndLease = writeBehind((db: Kysely<DB>, id: number, changes: ReturnType<typeof timeColumns> & { lease_expires_at: number }) =>
  db.updateTable('assignments').set(changes).where('id', '=', id),
);

/** Records a heartbeat: the time so far and the extended lease (a writeBehind: it goes out with the COMMIT). */
export async function saveHeartbeat(trx: Transaction<DB>, id: number, time: TimeState, leaseExpiresAt: number): Promise<void> {
  await saveTimeAndLease(trx, id, { ...timeColumns(time), lease_expires_at: leaseExpiresAt });
}

export interface AssignmentEnd {
  status: AssignmentRow['status'];
  at: number;
  time: TimeState;
  response?: string;
  goldScore?: number | null;
  skipReason?: string | null;
}

/** Every column an end writes (what this end does not set keeps its value), so one statement serves all ends. */
function endChanges(row: AssignmentRow, end: AssignmentEnd) {
  return {
    ...timeColumns(end.time),
    status: end.status,
    ended_at: end.at,
    response: end.response ?? row.response,
    gold_score: end.goldScore !== undefined ? end.goldScore : row.gold_score,
    skip_reason: end.skipReason !== undefined ? end.skipReason : row.skip_reason,
  };
}

type EndChanges = ReturnType<typeof endChanges>;

/** A slot given back (answers 0) or filled by an answer (answers 1); the sub-status follows the slots left (right-hand sides read the old row). */
const slotChanges = (answers: number, now: number) => (eb: ExpressionBuilder<DB, 'tasks'>) => ({
  active_count: eb('active_count', '-', 1),
  answers_count: eb('answers_count', '+', answers),
  updated_at: now,
  sub_status: sql<TaskRecord['sub_status']>`CASE WHEN status = 'pending' AND COALESCE(sub_status, '') <> 'in_review'
    THEN (CASE WHEN active_count > 1 THEN 'in_progress' ELSE 'queued' END) ELSE sub_status END`,
});

// Nobody reads these writes back (writeBehind): on PostgreSQL they go out with the transaction's next
// statement or its COMMIT. A caller who needs the task as the end leaves it reads it under lock first (taskAfterEnd).
const saveEnd = writeBehind((db: Kysely<DB>, id: number, changes: EndChanges) => db.updateTable('assignments').set(changes).where('id', '=', id));
const countSlot = writeBehind((db: Kysely<DB>, taskId: number, answers: number, now: number) => db.updateTable('tasks').set(slotChanges(answers, now)).where('id', '=', taskId));
// Both in one statement where a WITH may write (writableCte).
const saveEndAndCountSlot = writeBehind((db: Kysely<DB>, id: number, changes: EndChanges, taskId: number, answers: number, now: number) =>
  db
    .with('ended', (qb) => qb.updateTable('assignments').set(changes).where('id', '=', id))
    .updateTable('tasks')
    .set(slotChanges(answers, now))
    .where('id', '=', taskId),
);

const answersOf = (end: AssignmentEnd) => (end.status === 'submitted' ? 1 : 0);

/**
 * Ends an assignment with its final time and, for a submit, the answer, and gives its task's slot
 * back (skip, expiry) or counts the answer in it (submit). Returns the assignment as it now stands.
 */
export async function finishAssignment(trx: Transaction<DB>, dialect: DialectAdapter, row: AssignmentRow, end: AssignmentEnd, now: number): Promise<AssignmentRow> {
  const changes = endChanges(row, end);
  if (dialect.writableCte) await saveEndAndCountSlot(trx, row.id, changes, row.task_id, answersOf(end), now);
  else {
    await saveEnd(trx, row.id, changes);
    await countSlot(trx, row.task_id, answersOf(end), now);
  }
  return { ...row, ...changes };
}

/**
 * The task's row as finishAssignment leaves it (slotChanges, computed here instead of read back), given
 * the row as read before it by a caller who holds the task's lock, so nothing changed it in between.
 */
export function taskAfterEnd(task: TaskRecord, end: AssignmentEnd, now: number): TaskRecord {
  const open = task.status === 'pending' && (task.sub_status ?? '') !== 'in_review';
  return {
    ...task,
    active_count: task.active_count - 1,
    answers_count: task.answers_count + answersOf(end),
    updated_at: now,
    sub_status: open ? (task.active_count > 1 ? 'in_progress' : 'queued') : task.sub_status,
  };
}

/**
 * Active assignments whose lease ran out before `now`, locked (skipping ones others hold). `ended_at IS
 * NULL` says the same as the status and lets the lease indexes, which hold active assignments only, serve.
 */
export async function lockDueAssignments(trx: Transaction<DB>, dialect: DialectAdapter, now: number, projectId: number | undefined, limit: number): Promise<AssignmentRow[]> {
  const byProject = projectId === undefined ? sql`` : sql`AND project_id = ${projectId}`;
  const result = await sql<AssignmentRow>`SELECT * FROM assignments WHERE status = 'active' AND ended_at IS NULL ${byProject} AND lease_expires_at < ${now}
    ORDER BY lease_expires_at LIMIT ${sql.lit(limit)} ${sql.raw(dialect.forUpdateSkipLocked)}`.execute(trx);
  return result.rows;
}

/** How many tasks this worker has held in the project (any outcome). */
export async function countWorkerAssignments(db: Kysely<DB>, workerId: number, projectId: number): Promise<number> {
  const row = await db
    .selectFrom('assignments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('worker_id', '=', workerId)
    .where('project_id', '=', projectId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * What a claim reads before it looks for a task, in one statement: the project by name, with the
 * ledger's flags for this worker (claimFlagColumns). Undefined when no project has that name.
 */
const projectForClaim = prepared((db: Kysely<DB>, name: string, workerId: number) => db.selectFrom('projects as p').selectAll('p').select(claimFlagColumns(workerId)).where('p.name', '=', name));

export async function claimContext(db: Kysely<DB>, name: string, workerId: number): Promise<{ project: Project; flags: ClaimFlags } | undefined> {
  const [row] = (await projectForClaim(db, name, workerId)).rows;
  if (!row) return undefined;
  const { any_sanction, below_floor, ...projectRow } = row;
  return { project: toProject(projectRow), flags: claimFlagsOf({ any_sanction, below_floor }) };
}

const skillsOf = prepared((db: Kysely<DB>, userId: number) => db.selectFrom('worker_skills').select('skill').where('user_id', '=', userId));

export async function workerSkills(db: Kysely<DB>, userId: number): Promise<Set<string>> {
  return new Set((await skillsOf(db, userId)).rows.map((r) => r.skill));
}

/** Whether the project has any gold task at all (cheap: one index probe). */
const anyGoldTask = prepared((db: Kysely<DB>, projectId: number) => sql<{ id: number }>`SELECT id FROM tasks WHERE project_id = ${projectId} AND status = 'pending' AND is_gold = 1 AND is_test = 0 LIMIT 1`);

export async function projectHasGold(db: Kysely<DB>, projectId: number): Promise<boolean> {
  return (await anyGoldTask(db, projectId)).rows.length > 0;
}
