import type { Database } from '../../db/index.ts';
import type { Principal } from '../accounts/index.ts';
import { bumpTaskCount, type Project } from '../projects/index.ts';
import { findTaskType } from '../task-types/index.ts';
import { batchGate } from './batches.service.ts';
import { type ImportFormat, ImportFileError, rowsOf } from './parsers.ts';
import { buildTaskDraft, fromCsvRow, isProblem, type TaskDraft } from './task-input.ts';
import { findByDedupeKeys, insertTaskDrafts } from './tasks.repository.ts';

export interface ImportRowError {
  line: number;
  code: string;
  message: string;
  path?: string;
  /** For duplicates: the task that already holds this unique_id. */
  task_id?: string;
}

export interface ImportProgress {
  rows: number;
  inserted: number;
  existing: number;
  failed: number;
  bytes: number;
}

export interface ImportSummary extends ImportProgress {
  import_id: number;
  project: string;
  /** The first MAX_REPORTED_ERRORS row errors; `failed` counts them all. */
  errors: ImportRowError[];
  /** The first MAX_REPORTED_SKIPS rows skipped because their unique_id already existed; `existing` counts them all. */
  skipped: ImportRowError[];
  /** A problem that stopped reading the file; rows before it have landed. */
  file_error: string | null;
  seconds: number;
}

const MAX_REPORTED_ERRORS = 1000;
const MAX_REPORTED_SKIPS = 100;
/** An import that adds at least this many tasks refreshes the database's statistics of the table. */
export const STATISTICS_AFTER_ROWS = 10_000;

export interface ImportOptions {
  owner: Principal;
  project: Project;
  input: AsyncIterable<Buffer | string>;
  format: ImportFormat;
  source: string;
  now: () => number;
  /** Called after every committed batch. */
  onProgress?: (progress: ImportProgress) => void;
  /** Rows per transaction. */
  batchSize?: number;
  /** This server's port: callback URLs pointing back at it are refused. */
  selfPort?: number;
}

/**
 * Streams a file of tasks into a project in batched transactions, with bounded memory.
 * Idempotent: rows are keyed by unique_id (or their content), so re-importing a file adds nothing.
 * Bad rows are reported by line with a stable code while good rows land. A killed import loses
 * nothing committed; running it again adds only what is missing.
 */
export async function importTasks(database: Database, opts: ImportOptions): Promise<ImportSummary> {
  const { db, dialect } = database;
  const def = findTaskType(opts.project.type);
  if (!def) throw new Error(`project ${opts.project.name} has unknown type ${opts.project.type}`);
  const batchSize = opts.batchSize ?? (dialect.name === 'sqlite' ? 10_000 : 5_000);
  const started = opts.now();
  const importRow = await db
    .insertInto('imports')
    .values({ owner_id: opts.owner.id, project_id: opts.project.id, source: opts.source, format: opts.format, status: 'running', started_at: started })
    .returning('id')
    .executeTakeFirstOrThrow();
  const importId = Number(importRow.id);

  const progress: ImportProgress = { rows: 0, inserted: 0, existing: 0, failed: 0, bytes: 0 };
  const errors: ImportRowError[] = [];
  const skipped: ImportRowError[] = [];
  const report = (e: ImportRowError) => {
    progress.failed++;
    if (errors.length < MAX_REPORTED_ERRORS) errors.push(e);
  };

  let batch: { line: number; draft: TaskDraft }[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const pending = batch;
    batch = [];
    const conflicts: { line: number; draft: TaskDraft }[] = [];
    await db.transaction().execute(async (trx) => {
      const ids = await insertTaskDrafts(trx, dialect, { ownerId: opts.owner.id, projectId: opts.project.id, type: def.type, isTest: opts.owner.isTest, importId, now: opts.now() }, pending.map((p) => p.draft));
      // Only the first row with a key was inserted; a repeat inside the batch is a conflict too.
      const claimed = new Set<string>();
      for (const p of pending) {
        if (ids.has(p.draft.dedupeKey) && !claimed.has(p.draft.dedupeKey)) claimed.add(p.draft.dedupeKey);
        else conflicts.push(p);
      }
      const inserted = ids.size;
      await bumpTaskCount(trx, opts.project.id, 'pending', inserted);
      await trx
        .updateTable('imports')
        .set((eb) => ({ rows_read: progress.rows, inserted: eb('inserted', '+', inserted), existing: eb('existing', '+', conflicts.length), failed: progress.failed }))
        .where('id', '=', importId)
        .execute();
      progress.inserted += inserted;
    });
    if (conflicts.length) {
      const existing = await findByDedupeKeys(db, opts.owner.id, conflicts.map((c) => c.draft.dedupeKey));
      for (const { line, draft } of conflicts) {
        const found = existing.get(draft.dedupeKey);
        const sameFile = found?.importId === importId;
        if (sameFile) {
          // A repeat inside this file: an error, the first occurrence stands.
          report(
            draft.uniqueId !== null
              ? { line, code: 'duplicate_unique_id', message: `unique_id "${draft.uniqueId}" appears earlier in this file`, task_id: String(found?.id) }
              : { line, code: 'duplicate_row', message: 'the same task appears earlier in this file', task_id: String(found?.id) },
          );
        } else {
          progress.existing++;
          if (draft.uniqueId !== null && skipped.length < MAX_REPORTED_SKIPS) {
            skipped.push({ line, code: 'unique_id_exists', message: `unique_id "${draft.uniqueId}" already exists; row skipped`, task_id: String(found?.id) });
          }
        }
      }
    }
    opts.onProgress?.({ ...progress });
  };

  // Batch objects are looked up once per name per import.
  const gates = new Map<string, Awaited<ReturnType<typeof batchGate>>>();
  const gateFor = async (name: string) => {
    let gate = gates.get(name);
    if (!gate) {
      gate = await batchGate(db, opts.owner.id, opts.project.id, name);
      gates.set(name, gate);
    }
    return gate;
  };

  const counted = countBytes(opts.input, progress);
  let fileError: string | null = null;
  try {
    for await (const row of rowsOf(opts.format, counted)) {
      progress.rows++;
      if ('error' in row) {
        report({ line: row.line, ...row.error });
      } else {
        const input = row.csv ? fromCsvRow(def, row.value) : row.value;
        const draft = buildTaskDraft(opts.project, def, input, { selfPort: opts.selfPort });
        const gate = isProblem(draft) || draft.batch === null ? undefined : await gateFor(draft.batch);
        if (isProblem(draft)) report({ line: row.line, code: draft.code, message: draft.message, ...(draft.path !== undefined && { path: draft.path }) });
        else if (gate && 'code' in gate) report({ line: row.line, code: gate.code, message: gate.message, path: 'batch' });
        else {
          draft.held = gate?.held ?? false;
          batch.push({ line: row.line, draft });
        }
      }
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  } catch (error) {
    if (!(error instanceof ImportFileError)) {
      await db.updateTable('imports').set({ status: 'failed', finished_at: opts.now() }).where('id', '=', importId).execute();
      throw error;
    }
    // Rows read before the unreadable part are kept: they were valid, and re-running is idempotent.
    await flush();
    fileError = error.message;
  }
  if (progress.inserted >= STATISTICS_AFTER_ROWS) await dialect.refreshStatistics(db, 'tasks');
  const finished = opts.now();
  await db
    .updateTable('imports')
    .set({ status: fileError ? 'failed' : 'done', rows_read: progress.rows, existing: progress.existing, failed: progress.failed, finished_at: finished })
    .where('id', '=', importId)
    .execute();
  errors.sort((a, b) => a.line - b.line);
  return { import_id: importId, project: opts.project.name, ...progress, errors, skipped, file_error: fileError, seconds: (finished - started) / 1000 };
}

async function* countBytes(input: AsyncIterable<Buffer | string>, progress: ImportProgress): AsyncGenerator<Buffer | string> {
  for await (const chunk of input) {
    progress.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    yield chunk;
  }
}
