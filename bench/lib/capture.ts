import { type CompiledQuery, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { DB, DialectAdapter } from '../../src/db/index.ts';
// Repository internals on purpose: the bare baselines must run the very statements the claim runs,
// and these two functions are not part of the assignment module's public door.
import { insertAssignment, lockNextTask } from '../../src/modules/assignment/assignment.repository.ts';
import { openRawSqlite } from './sqlite.ts';

// Bare baselines replay the SQL the app itself sends, captured from the real repository functions
// through a Kysely `log` hook, so they follow the code as it changes (a new predicate, a new column)
// instead of drifting from a hand-copied string.

/** A captured statement: its text and, per parameter, either a role bound at replay or a constant. */
export interface Template {
  sql: string;
  params: Array<{ role: string } | { value: unknown }>;
}

/** Parameters for one execution of `t`, taking each role from `values`. */
export function bind(t: Template, values: Record<string, unknown>): unknown[] {
  return t.params.map((p) => {
    if (!('role' in p)) return p.value;
    if (!(p.role in values)) throw new Error(`no value for role ${p.role} of ${t.sql.slice(0, 60)}`);
    return values[p.role];
  });
}

/** A Kysely that records every query it sends, over SQLite or PostgreSQL. */
export function recordingKysely(target: { sqliteFile: string } | { postgresUrl: string }): { db: Kysely<DB>; queries: CompiledQuery[] } {
  const queries: CompiledQuery[] = [];
  const dialect =
    'sqliteFile' in target
      ? new SqliteDialect({ database: openRawSqlite(target.sqliteFile) })
      : new PostgresDialect({ pool: new pg.Pool({ connectionString: target.postgresUrl, max: 1 }) });
  const db = new Kysely<DB>({
    dialect,
    log: (event) => {
      if (event.level === 'query') queries.push(event.query);
    },
  });
  return { db, queries };
}

class Rollback extends Error {}

// Sentinel time: no other parameter of these statements can equal it.
const NOW = 1_234_567_890_123;

export interface ClaimStatements {
  select: Template;
  insert: Template;
  update: Template;
}

/**
 * The three statements of a non-gold claim (lockNextTask, then insertAssignment's INSERT and UPDATE),
 * captured by running them once in a transaction that is rolled back. Roles at replay: project,
 * worker, task, isGold, now, lease, shown, idleGrace.
 */
export async function captureClaimStatements(
  target: { sqliteFile: string } | { postgresUrl: string },
  dialect: DialectAdapter,
  projectId: number,
  workerId: number,
): Promise<ClaimStatements> {
  const { db, queries } = recordingKysely(target);
  let taskId = -1;
  try {
    await db.transaction().execute(async (trx) => {
      const task = await lockNextTask(trx, dialect, projectId, workerId, false);
      if (!task) throw new Error('no open task to capture a claim with');
      taskId = task.id;
      await insertAssignment(trx, { taskId, projectId, workerId, isGold: task.is_gold === 1, now: NOW, leaseMs: 600_000, idleGraceMs: 300_000, shown: '{}' });
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  } finally {
    await db.destroy();
  }
  const find = (re: RegExp) => {
    const q = queries.find((x) => re.test(x.sql));
    if (!q) throw new Error(`claim capture: no statement matching ${re} among ${queries.map((x) => x.sql.slice(0, 40)).join(' | ')}`);
    return q;
  };
  const select = find(/^\s*select\b[\s\S]*\bfrom tasks\b/i);
  const insert = find(/^\s*insert into "assignments"/i);
  const update = find(/^\s*update "tasks"/i);

  const columns = /^\s*insert into "assignments" \(([^)]*)\)/i.exec(insert.sql)?.[1].split(',').map((c) => c.trim().replace(/"/g, '')) ?? [];
  if (columns.length !== insert.parameters.length) throw new Error(`claim capture: INSERT has ${columns.length} columns and ${insert.parameters.length} parameters`);
  const byColumn: Record<string, string> = {
    task_id: 'task',
    project_id: 'project',
    worker_id: 'worker',
    is_gold: 'isGold',
    claimed_at: 'now',
    last_signal_at: 'now',
    lease_expires_at: 'lease',
    shown: 'shown',
    idle_grace_ms: 'idleGrace',
  };
  return {
    select: {
      sql: select.sql,
      params: select.parameters.map((v) => (v === projectId ? { role: 'project' } : v === workerId ? { role: 'worker' } : { value: v })),
    },
    insert: { sql: insert.sql, params: columns.map((c, i) => (byColumn[c] ? { role: byColumn[c] } : { value: insert.parameters[i] })) },
    update: {
      sql: update.sql,
      params: update.parameters.map((v, i) => (v === NOW ? { role: 'now' } : i === update.parameters.length - 1 && v === taskId ? { role: 'task' } : { value: v })),
    },
  };
}

/** The page query listTasksFor sends for `run` (which must list one page after `afterId`); role: after. */
export async function capturePageQuery(sqliteFile: string, afterId: number, run: (db: Kysely<DB>) => Promise<unknown>): Promise<Template> {
  const { db, queries } = recordingKysely({ sqliteFile });
  try {
    await run(db);
  } finally {
    await db.destroy();
  }
  const page = queries.find((q) => /from "tasks"/i.test(q.sql) && /\blimit\b/i.test(q.sql) && q.parameters.includes(afterId));
  if (!page) throw new Error('page capture: no tasks query with the cursor among the statements sent');
  return { sql: page.sql, params: page.parameters.map((v) => (v === afterId ? { role: 'after' } : { value: v })) };
}
