import cliProgress from 'cli-progress';
import { type Command, Option } from 'commander';
import { type Database, migrateToLatest } from '../../db/index.ts';
import { openForCommand } from '../database.ts';
import { EXPORT_FORMAT_IDS, type ExportFilters, type ExportFormat, type ExportResult, filesOf, formatFits, formatsFor, pathTarget, writeExport } from '../../modules/exports/index.ts';
import { findProjectByName } from '../../modules/projects/index.ts';
import { loadConfig } from '../../server/env.ts';
import { AppError } from '../../server/errors.ts';

/** Options of `tessera export`, as the command line gives them. */
export interface ExportCommandOptions {
  project: string;
  format: ExportFormat;
  /** The file to write; a folder for multi-file formats (hf_dataset). */
  out: string;
  batch?: string;
  status?: NonNullable<ExportFilters['status']>;
  completedSince?: string;
  minConfidence?: string;
  onlyReviewed?: boolean;
  includeTies?: boolean;
  split?: string;
  quiet?: boolean;
}

const STATUSES = ['pending', 'completed', 'canceled', 'error'] as const;

/**
 * Writes an export straight to `--out` (no export record, no HTTP): reads the project's tasks
 * in keyset pages with the same writers the API uses, showing a progress bar (tasks read, rows
 * written, rows/s, ETA) on stderr unless `quiet`. Throws AppError for an unknown project
 * (project_not_found), a format that does not fit its type, or bad filter values.
 */
export async function runExportCommand(database: Database, o: ExportCommandOptions, stderr: NodeJS.WritableStream = process.stderr): Promise<ExportResult> {
  const project = await findProjectByName(database.db, o.project);
  if (!project) throw new AppError('project_not_found', `no project named ${o.project}`);
  if (!formatFits(o.format, project.type)) throw new AppError('validation_failed', `format ${o.format} does not fit ${project.type} tasks; these do: ${formatsFor(project.type).join(', ')}`);
  let minConfidence: number | undefined;
  if (o.minConfidence !== undefined) {
    minConfidence = Number(o.minConfidence);
    if (!Number.isFinite(minConfidence) || minConfidence < 0 || minConfidence > 1) throw new AppError('validation_failed', '--min-confidence must be a number from 0 to 1');
  }
  if (o.completedSince !== undefined && Number.isNaN(Date.parse(o.completedSince))) throw new AppError('validation_failed', '--completed-since must be an ISO 8601 date');
  if (o.split !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(o.split)) throw new AppError('validation_failed', '--split may hold letters, digits, _ and - only');

  const filters: ExportFilters = { batch: o.batch, status: o.status ?? 'completed', completed_since: o.completedSince, min_confidence: minConfidence, only_reviewed: o.onlyReviewed || undefined };
  const bar = o.quiet
    ? undefined
    : new cliProgress.SingleBar(
        { format: ' {bar} {percentage}% | {value}/{total} tasks | {rows} rows | {rate} tasks/s | ETA {eta_formatted}', hideCursor: true, stream: stderr },
        cliProgress.Presets.shades_classic,
      );
  const started = Date.now();
  let barStarted = false;
  try {
    return await writeExport(database.db, { project, format: o.format, filters, options: { include_ties: o.includeTies, split: o.split } }, pathTarget(o.out, filesOf(o.format).length === 1), {
      now: Date.now(),
      onProgress: (p) => {
        if (!bar) return;
        const rate = Math.round(p.scanned / Math.max(0.001, (Date.now() - started) / 1000));
        if (!barStarted) {
          bar.start(p.total, p.scanned, { rows: p.rows, rate });
          barStarted = true;
        } else {
          bar.setTotal(p.total);
          bar.update(p.scanned, { rows: p.rows, rate });
        }
      },
    });
  } finally {
    bar?.stop();
  }
}

/** Registers `tessera export --project NAME --format F --out PATH [filters]`. */
export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description("export a project's tasks as a dataset file (a folder for hf_dataset)")
    .requiredOption('--project <name>')
    .addOption(new Option('--format <format>', 'dataset format').choices(EXPORT_FORMAT_IDS).makeOptionMandatory())
    .requiredOption('--out <path>', 'file to write (for hf_dataset: a folder)')
    .option('--batch <name>', 'only this batch')
    .addOption(new Option('--status <status>', 'task status').choices([...STATUSES]).default('completed'))
    .option('--completed-since <iso>', 'only tasks completed at or after this time (ISO 8601)')
    .option('--min-confidence <x>', 'only tasks whose result confidence is at least x (0 to 1)')
    .option('--only-reviewed', 'only tasks a reviewer decided')
    .option('--include-ties', 'trl_preference: keep ties and both-bad, with an outcome field')
    .option('--split <name>', 'yolo: split folder name (default train)')
    .option('--quiet', 'no progress bar')
    .action(async (o: ExportCommandOptions) => {
      const config = loadConfig();
      const database = openForCommand(config);
      try {
        await migrateToLatest(database);
        const result = await runExportCommand(database, o);
        console.log(`${result.rows} rows from ${result.scanned} tasks (${result.skipped} left out)`);
        for (const f of result.files) console.log(`  ${f.name}: ${f.bytes} bytes, sha256 ${f.sha256}`);
        const problems = Object.entries(result.problems.counts);
        if (problems.length) {
          console.log(`problems: ${problems.map(([code, n]) => `${code} ${n}`).join(', ')}`);
          for (const p of result.problems.first.slice(0, 10)) console.log(`  task ${p.task_id}: ${p.code}: ${p.message}`);
        }
      } finally {
        await database.dialect.close();
      }
    });
}
