import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { DB, TasksTable } from '../../db/index.ts';
import { AppError } from '../../server/errors.ts';
import type { Principal } from '../accounts/index.ts';
import { findProjectById, getProjectFor, type Project } from '../projects/index.ts';
import { presentTask } from '../tasks/index.ts';
import { arenaEncoder } from './arena.ts';
import { cocoEncoder } from './coco.ts';
import { conllEncoder } from './conll.ts';
import { collectMetadataKeys, csvEncoder } from './csv.ts';
import { type Encoder, type EncoderContext } from './encoder.ts';
import { exportError } from './export-errors.ts';
import type { ExportAnswer, ExportOptions, ExportProject, ExportTask, PresentedTask, StoredTask } from './export-task.ts';
import {
  countExportTasks,
  type ExportRow,
  type ExportTaskFilter,
  findBatchProjectId,
  findExport,
  insertExport,
  listExportMetadataPage,
  listExportRows,
  listExportTaskPage,
  listLiveAnswers,
  updateExport,
} from './export.repository.ts';
import { EXPORT_FORMAT_IDS, type ExportFormat, filesOf, formatFits, formatsFor, isExportFormat, needsAnswers } from './formats.ts';
import { hfDatasetEncoder } from './hf-dataset.ts';
import { hhRlhfEncoder } from './hh-rlhf.ts';
import { jsonlEncoder } from './jsonl.ts';
import { labelStudioEncoder } from './label-studio.ts';
import { openaiDpoEncoder } from './openai.ts';
import { type ExportTarget, type FileOut, folderTarget, type WrittenFile } from './output.ts';
import { pascalVocEncoder } from './pascal-voc.ts';
import { spacyEncoder } from './spacy.ts';
import { sftEncoder, trlPreferenceEncoder, trlUnpairedEncoder } from './trl.ts';
import { yoloEncoder } from './yolo.ts';

/** Which tasks an export takes. Defaults: status completed, no other filter. */
export interface ExportFilters {
  batch?: string;
  status?: TasksTable['status'];
  /** ISO 8601: only tasks completed at or after it. */
  completed_since?: string;
  /** Only tasks whose stored result confidence is at least this (tasks without one are left out). */
  min_confidence?: number;
  /** Only tasks a reviewer decided (result.decided_by.kind = reviewer). */
  only_reviewed?: boolean;
}

/** What to export: a project, a format that fits its type, filters and format options. */
export interface ExportSpec {
  project: Project;
  format: ExportFormat;
  filters: ExportFilters;
  options: ExportOptions;
}

export interface ExportProgress {
  /** Tasks read so far, of `total` matching the SQL filters. */
  scanned: number;
  total: number;
  /** Records written so far. */
  rows: number;
}

export interface ProblemReport {
  counts: Record<string, number>;
  first: { task_id: string; code: string; message: string }[];
}

export interface ExportResult {
  rows: number;
  scanned: number;
  /** Tasks read that became no record: left out by a result filter, or reported. */
  skipped: number;
  files: WrittenFile[];
  problems: ProblemReport;
}

const PAGE = 1000;
const PROBLEMS_KEPT = 100;

function parseSince(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new AppError('validation_failed', 'filters/completed_since must be an ISO 8601 date');
  return ms;
}

function sqlFilter(spec: ExportSpec): ExportTaskFilter {
  return { projectId: spec.project.id, status: spec.filters.status ?? 'completed', batch: spec.filters.batch, completedSince: parseSince(spec.filters.completed_since) };
}

/** The result filters, applied to each presented task (they read the stored result JSON). */
function keeps(task: PresentedTask, filters: ExportFilters): boolean {
  const result = task.result as { confidence?: unknown; decided_by?: { kind?: unknown } } | null;
  if (filters.min_confidence !== undefined) {
    const c = result?.confidence;
    if (typeof c !== 'number' || !Number.isFinite(c) || c < filters.min_confidence) return false;
  }
  if (filters.only_reviewed && result?.decided_by?.kind !== 'reviewer') return false;
  return true;
}

/** What the encoders need to know about an export, beyond the tasks. */
export interface EncodeSpec {
  format: ExportFormat;
  project: ExportProject;
  options: ExportOptions;
  /** As requested (the hf_dataset README records them). */
  filters?: ExportFilters;
  /** CSV only: every metadata key of the tasks to come. */
  metadataKeys?: readonly string[];
}

function encoderFor(spec: EncodeSpec, ctx: EncoderContext, files: FileOut[]): Encoder {
  const [main, second] = files;
  switch (spec.format) {
    case 'jsonl':
      return jsonlEncoder(main, spec.project.params);
    case 'trl_preference':
      return trlPreferenceEncoder(main, spec.options, ctx.problem);
    case 'trl_unpaired':
      return trlUnpairedEncoder(main, ctx.problem);
    case 'trl_sft':
    case 'openai_sft':
      return sftEncoder(main, ctx.problem);
    case 'openai_dpo':
      return openaiDpoEncoder(main, ctx.problem);
    case 'hh_rlhf':
      return hhRlhfEncoder(main, ctx.problem);
    case 'arena_battles':
      return arenaEncoder(main, ctx.project, ctx.problem);
    case 'hf_dataset':
      return hfDatasetEncoder(main, second, ctx, { ...spec.filters, status: spec.filters?.status ?? 'completed' });
    case 'label_studio':
      return labelStudioEncoder(main, ctx.problem);
    case 'coco':
      return cocoEncoder(main, ctx);
    case 'yolo':
      return yoloEncoder(main, ctx);
    case 'pascal_voc':
      return pascalVocEncoder(main, ctx);
    case 'conll':
      return conllEncoder(main, ctx.problem);
    case 'spacy_jsonl':
      return spacyEncoder(main, ctx.problem);
    case 'csv':
      return csvEncoder(main, ctx.metadataKeys ?? [], ctx.problem);
  }
}

/**
 * Streams pages of tasks through a format's encoder into `target` and closes its files: the one pipeline
 * behind the service, the CLI and the writers' tests. `rows` counts records written, `tasks` the
 * tasks that became at least one. Empties each page as it goes (the tasks are garbage once written).
 * On any error the partial files are removed and the error thrown.
 */
export async function encodeTasks(
  spec: EncodeSpec,
  pages: AsyncIterable<(ExportTask | undefined)[]> | Iterable<(ExportTask | undefined)[]>,
  target: ExportTarget,
  now: number,
  live: { rows: number } = { rows: 0 },
): Promise<{ rows: number; tasks: number; files: WrittenFile[]; problems: ProblemReport }> {
  const problems: ProblemReport = { counts: {}, first: [] };
  const problem = (taskId: string, code: string, message: string) => {
    problems.counts[code] = (problems.counts[code] ?? 0) + 1;
    if (problems.first.length < PROBLEMS_KEPT) problems.first.push({ task_id: taskId, code, message });
  };
  const files = filesOf(spec.format).map((name) => target.open(name));
  const ctx: EncoderContext = { target, project: spec.project, options: spec.options, problem, metadataKeys: spec.metadataKeys, now };
  let encoder: Encoder | undefined;
  try {
    encoder = encoderFor(spec, ctx, files);
    let tasks = 0;
    // Pages, not single tasks, cross the async boundary: one await per page keeps the per-task cost
    // to the format's own work (an async generator per task costs a tenth of a JSONL export).
    for await (const page of pages) {
      for (let i = 0; i < page.length; i++) {
        const item = page[i] as ExportTask;
        // Let go of the task once written: a page of presented tasks kept to its end outlives the
        // young generation and fills the old one with garbage (peak RSS, measured).
        page[i] = undefined;
        const added = encoder.add(item);
        const n = typeof added === 'number' ? added : await added;
        live.rows += n;
        if (n > 0) tasks++;
      }
    }
    await encoder.finish();
    const written: WrittenFile[] = [];
    for (const file of files) written.push(await file.close());
    return { rows: live.rows, tasks, files: written, problems };
  } catch (error) {
    encoder?.abort?.();
    for (const file of files) file.abort();
    throw error;
  }
}

/** A task read from the database: presented on first use, so a format that splices the stored row never pays for it. */
class StoredExportTask implements ExportTask {
  private presented: PresentedTask | undefined;
  constructor(
    readonly row: StoredTask,
    private readonly projectParams: Record<string, unknown>,
    readonly answers: readonly ExportAnswer[],
  ) {}
  get task(): PresentedTask {
    this.presented ??= presentTask(this.row, this.projectParams);
    return this.presented;
  }
}

function toAnswer(row: { id: number; worker_id: number; response: string | null; claimed_at: number; ended_at: number | null }): ExportAnswer {
  const submitted = row.ended_at ?? row.claimed_at;
  return { assignment_id: String(row.id), worker_id: row.worker_id, response: row.response ? JSON.parse(row.response) : {}, submitted_at: submitted, lead_time: (submitted - row.claimed_at) / 1000 };
}

/** Every metadata key of the matching tasks, sorted (CSV needs its header before the first row). */
async function metadataKeysOf(db: Kysely<DB>, filter: ExportTaskFilter, signal?: AbortSignal): Promise<string[]> {
  const keys = new Set<string>();
  let after = 0;
  for (;;) {
    signal?.throwIfAborted();
    const page = await listExportMetadataPage(db, filter, after, PAGE * 5);
    if (!page.length) break;
    for (const row of page) collectMetadataKeys(JSON.parse(row.metadata), keys);
    after = page[page.length - 1].id;
  }
  return [...keys].sort();
}

/**
 * Writes one export into `target`: reads the matching tasks in id-ordered keyset pages of 1,000
 * (and, for formats that need them, their counting answers, one query per page), presents each
 * as `GET /v1/task/{id}` does, applies the result filters and streams it through the format's
 * encoder with backpressure, so memory stays flat at any size. Calls `onProgress` after each
 * page. Throws when `signal` aborts (after removing partial files) or on a write error; tasks a
 * format cannot express are reported in `problems`, never guessed.
 */
export async function writeExport(
  db: Kysely<DB>,
  spec: ExportSpec,
  target: ExportTarget,
  opts: { now: number; onProgress?: (p: ExportProgress) => void | Promise<void>; signal?: AbortSignal; pageSize?: number },
): Promise<ExportResult> {
  const filter = sqlFilter(spec);
  const pageSize = opts.pageSize ?? PAGE;
  const project: ExportProject = { name: spec.project.name, type: spec.project.type, params: spec.project.params, languages: spec.project.languages };
  const total = await countExportTasks(db, filter);
  const metadataKeys = spec.format === 'csv' ? await metadataKeysOf(db, filter, opts.signal) : undefined;
  const withAnswers = needsAnswers(spec.format, spec.project.type);
  let scanned = 0;
  const live = { rows: 0 };
  const filtered = spec.filters.min_confidence !== undefined || spec.filters.only_reviewed === true;
  async function* pages(): AsyncGenerator<(ExportTask | undefined)[]> {
    let after = 0;
    for (;;) {
      opts.signal?.throwIfAborted();
      const page = await listExportTaskPage(db, filter, after, pageSize);
      if (!page.length) return;
      const answers = new Map<number, ExportAnswer[]>();
      if (withAnswers) {
        for (const row of await listLiveAnswers(db, page.map((t) => t.id))) {
          const list = answers.get(row.task_id) ?? [];
          list.push(toAnswer(row));
          answers.set(row.task_id, list);
        }
      }
      const items: (ExportTask | undefined)[] = [];
      for (const stored of page) {
        // The page's rows are ours: naming the project in place spares a copy of every row.
        const row = Object.assign(stored, { project_name: spec.project.name });
        const item = new StoredExportTask(row, spec.project.params, answers.get(stored.id) ?? []);
        if (!filtered || keeps(item.task, spec.filters)) items.push(item);
      }
      after = page[page.length - 1].id;
      scanned += page.length;
      // The rows now live only in `items`, which the encoder empties as it goes.
      page.length = 0;
      answers.clear();
      yield items;
      await opts.onProgress?.({ scanned, total: Math.max(total, scanned), rows: live.rows });
    }
  }
  const result = await encodeTasks({ format: spec.format, project, options: spec.options, filters: spec.filters, metadataKeys }, pages(), target, opts.now, live);
  return { rows: result.rows, scanned, skipped: scanned - result.tasks, files: result.files, problems: result.problems };
}

// ---------------------------------------------------------------------------------------------
// The HTTP side: exports as rows, run in the background in this process.

export interface ExportRequest {
  project?: string;
  batch?: string;
  format: string;
  filters?: ExportFilters;
  options?: ExportOptions;
}

/** The folder an export's files live in. */
export function exportDir(dataDir: string, id: number): string {
  return join(dataDir, 'exports', String(id));
}

/**
 * Checks and records an export request (status `queued`); the caller starts it (ExportRunner).
 * Names the project, or a batch whose project is taken. Throws unknown_export_format (400),
 * project_not_found (404, also for another account's project), batch_not_found (404),
 * export_format_mismatch (422) or validation_failed (400).
 */
export async function createExport(db: Kysely<DB>, principal: Principal, input: ExportRequest, now: number): Promise<{ export_id: string; status: 'queued' }> {
  if (!isExportFormat(input.format)) throw exportError('unknown_export_format', `No export format "${input.format}"`, { formats: EXPORT_FORMAT_IDS });
  let project: Project;
  const filters: ExportFilters = { ...input.filters };
  if (input.project !== undefined) {
    project = await getProjectFor(db, principal, input.project);
    if (input.batch !== undefined) filters.batch = input.batch;
  } else if (input.batch !== undefined) {
    const projectId = await findBatchProjectId(db, principal.id, input.batch);
    const found = projectId === undefined ? undefined : await findProjectById(db, projectId);
    if (!found) throw exportError('batch_not_found', `No batch "${input.batch}"`);
    project = found;
    filters.batch = input.batch;
  } else {
    throw new AppError('validation_failed', 'body/project or body/batch is required');
  }
  if (!formatFits(input.format, project.type)) {
    throw exportError('export_format_mismatch', `Format ${input.format} does not fit ${project.type} tasks; these do: ${formatsFor(project.type).join(', ')}`, { formats: formatsFor(project.type) });
  }
  parseSince(filters.completed_since);
  const id = await insertExport(db, { owner_id: principal.id, project_id: project.id, format: input.format, filters: JSON.stringify(filters), options: JSON.stringify(input.options ?? {}), now });
  return { export_id: String(id), status: 'queued' };
}

// Progress is written at most this often: a row update per page would be most of the cost on SQLite.
const PROGRESS_EVERY_MS = 500;
// A running export whose row has not moved for this long lost the process running it.
const STALE_RUNNING_MS = 10 * 60_000;
// A queued export not started within this long will never be (its process is gone).
const STALE_QUEUED_MS = 60 * 60_000;

/**
 * Runs one queued export to the end: marks it running, writes its files under
 * `${dataDir}/exports/<id>/`, updates progress as it goes, then records rows, bytes, digests
 * and problems (`done`), or the error (`failed`, files removed). Never throws: an unexpected
 * error goes to `onError` (to be logged) and the export records only that it failed.
 */
export async function runExport(db: Kysely<DB>, dataDir: string, id: number, now: () => number, signal?: AbortSignal, onError: (error: unknown) => void = () => undefined): Promise<void> {
  const dir = exportDir(dataDir, id);
  try {
    const row = await findExport(db, id);
    if (!row || row.status !== 'queued') return;
    const project = await findProjectById(db, row.project_id);
    if (!project) throw new AppError('project_not_found', 'The project of this export is gone');
    if (!isExportFormat(row.format)) throw exportError('unknown_export_format', `No export format "${row.format}"`);
    const started = now();
    if (!(await updateExport(db, id, { status: 'running', started_at: started, updated_at: started }, ['queued']))) return;
    let last = 0;
    const result = await writeExport(db, { project, format: row.format, filters: JSON.parse(row.filters), options: JSON.parse(row.options) }, folderTarget(dir), {
      now: started,
      signal,
      onProgress: async (p) => {
        const t = Date.now();
        if (t - last < PROGRESS_EVERY_MS) return;
        last = t;
        await updateExport(db, id, { progress: p.total ? p.scanned / p.total : 1, rows: p.rows, updated_at: now() });
      },
    });
    await updateExport(db, id, {
      status: 'done',
      progress: 1,
      rows: result.rows,
      skipped: result.skipped,
      bytes: result.files.reduce((sum, f) => sum + f.bytes, 0),
      sha256: result.files[0]?.sha256 ?? null,
      files: JSON.stringify(result.files),
      problems: JSON.stringify(result.problems),
      finished_at: now(),
      updated_at: now(),
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    let message: string;
    if (signal?.aborted) message = 'interrupted: the server stopped while exporting';
    else if (error instanceof AppError) message = error.message;
    else {
      // Internals (paths, SQL) stay in the log; the export says only that it failed.
      onError(error);
      message = 'the export failed on a server error';
    }
    await updateExport(db, id, { status: 'failed', error: message, finished_at: now(), updated_at: now() }).catch(onError);
  }
}

/**
 * Runs exports in the background of this process, a few at a time (each is one sequential
 * reader, so more in parallel would only slow them all), in the order they were asked for.
 * `close` aborts the running ones (marked failed) and waits for them.
 */
export class ExportRunner {
  private readonly queue: number[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(
    private readonly db: Kysely<DB>,
    private readonly dataDir: string,
    private readonly now: () => number,
    private readonly concurrency = 2,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Queues an export; it starts as soon as a slot is free. */
  enqueue(id: number): void {
    if (this.abort.signal.aborted) return;
    this.queue.push(id);
    this.pump();
  }

  private pump(): void {
    while (this.running.size < this.concurrency && this.queue.length) {
      const id = this.queue.shift() as number;
      const run: Promise<void> = runExport(this.db, this.dataDir, id, this.now, this.abort.signal, this.onError)
        .catch(this.onError)
        .finally(() => {
          this.running.delete(run);
          this.pump();
        });
      this.running.add(run);
    }
  }

  /** Resolves when nothing is running or queued (tests and the CLI wait on this). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }

  async close(): Promise<void> {
    this.queue.length = 0;
    this.abort.abort();
    await this.idle();
  }
}

/** The API's view of an export. */
export function presentExport(row: ExportRow, projectName: string | null) {
  const files = JSON.parse(row.files) as WrittenFile[];
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    export_id: String(row.id),
    status: row.status,
    format: row.format,
    project: projectName,
    filters: JSON.parse(row.filters) as ExportFilters,
    options: JSON.parse(row.options) as ExportOptions,
    rows: Number(row.rows),
    skipped: Number(row.skipped),
    bytes: Number(row.bytes),
    sha256: row.sha256,
    progress: Number(row.progress),
    error: row.error,
    problems: JSON.parse(row.problems) as ProblemReport | Record<string, never>,
    created_at: iso(row.created_at),
    started_at: iso(row.started_at),
    finished_at: iso(row.finished_at),
    files: files.map((f) => ({ name: f.name, url: `/v1/exports/${row.id}/files/${f.name}`, bytes: f.bytes, sha256: f.sha256 })),
  };
}

export type PresentedExport = ReturnType<typeof presentExport>;

/** The caller's export (admins: any), else export_not_found. A running export whose process died is marked failed here. */
async function getExportRow(db: Kysely<DB>, principal: Principal, id: number, now: number): Promise<ExportRow> {
  const row = await findExport(db, id);
  if (!row || (row.owner_id !== principal.id && principal.role !== 'admin')) throw exportError('export_not_found', `No export ${id}`);
  const stale = (row.status === 'running' && now - row.updated_at > STALE_RUNNING_MS) || (row.status === 'queued' && now - row.updated_at > STALE_QUEUED_MS);
  if (stale) {
    const error = 'interrupted: the process running this export stopped';
    if (await updateExport(db, id, { status: 'failed', error, finished_at: now, updated_at: now }, [row.status])) return { ...row, status: 'failed', error, finished_at: now, updated_at: now };
    return (await findExport(db, id)) as ExportRow;
  }
  return row;
}

/** An export of the caller's (admins: any); throws export_not_found otherwise. */
export async function getExportFor(db: Kysely<DB>, principal: Principal, id: number, now: number): Promise<PresentedExport> {
  const row = await getExportRow(db, principal, id, now);
  return presentExport(row, (await findProjectById(db, row.project_id))?.name ?? null);
}

/** The caller's newest exports (50), optionally of one project. */
export async function listExportsFor(db: Kysely<DB>, principal: Principal, projectName: string | undefined): Promise<{ docs: PresentedExport[] }> {
  const project = projectName === undefined ? undefined : await getProjectFor(db, principal, projectName);
  const rows = await listExportRows(db, principal.role === 'admin' && project ? undefined : principal.id, project?.id, 50);
  const names = new Map<number, string | null>();
  for (const row of rows) if (!names.has(row.project_id)) names.set(row.project_id, (await findProjectById(db, row.project_id))?.name ?? null);
  return { docs: rows.map((row) => presentExport(row, names.get(row.project_id) ?? null)) };
}

const CONTENT_TYPES: Record<string, string> = {
  jsonl: 'application/x-ndjson; charset=utf-8',
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  conll: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  zip: 'application/zip',
  parquet: 'application/vnd.apache.parquet',
};

/**
 * A finished export's file, by the name its `files` list gives (only those names: nothing else
 * in the folder can be reached). Throws export_not_found, export_not_ready (409) before `done`.
 */
export async function exportFileFor(db: Kysely<DB>, dataDir: string, principal: Principal, id: number, name: string, now: number): Promise<{ path: string; file: WrittenFile; contentType: string }> {
  const row = await getExportRow(db, principal, id, now);
  if (row.status !== 'done') throw exportError('export_not_ready', `Export ${id} is ${row.status}`, { status: row.status });
  const file = (JSON.parse(row.files) as WrittenFile[]).find((f) => f.name === name);
  const path = file && join(exportDir(dataDir, id), file.name);
  if (!file || !path || !existsSync(path) || statSync(path).size !== file.bytes) throw exportError('export_not_found', `Export ${id} has no file "${name}"`);
  const ext = name.slice(name.lastIndexOf('.') + 1);
  return { path, file, contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream' };
}
