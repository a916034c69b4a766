import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type Database, migrateToLatest } from '../../db/index.ts';
import { openForCommand } from '../database.ts';
import { exportRecords, type RecordsManifest } from '../../modules/ledger/index.ts';
import { loadConfig } from '../../server/env.ts';
import { AppError } from '../../server/errors.ts';

export interface RecordsExportOptions {
  from: string;
  to: string;
  worker?: string;
  out: string;
}

/**
 * Runs `tessera records export` against an open database: writes the CSVs and manifest.json into
 * `out` and returns the manifest. Throws AppError (invalid_date, user_not_found) on bad input.
 */
export async function runRecordsExport(database: Database, o: RecordsExportOptions, now = Date.now()): Promise<RecordsManifest> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(o.from) || !/^\d{4}-\d{2}-\d{2}$/.test(o.to)) throw new AppError('validation_failed', '--from and --to are dates YYYY-MM-DD');
  return exportRecords(database, { from: o.from, to: o.to, workerEmail: o.worker, outDir: resolve(o.out), now });
}

/** Registers `tessera records export --from YYYY-MM-DD --to YYYY-MM-DD [--worker EMAIL] --out DIR`. */
export function registerRecordsCommand(program: Command): void {
  program
    .command('records')
    .description('fair-work records (FAIRWORK.md)')
    .command('export')
    .description('write workers, workweeks, time segments, units, rate cards, ledger, decisions, appeals and sanctions as CSV, with a manifest of SHA-256 sums and the head of the week hash chain')
    .requiredOption('--from <date>', 'first day, YYYY-MM-DD (workweeks starting up to 6 days earlier are included)')
    .requiredOption('--to <date>', 'last day, YYYY-MM-DD')
    .option('--worker <email>', 'only this worker')
    .requiredOption('--out <dir>', 'folder to write into (created when missing)')
    .action(async (o: RecordsExportOptions) => {
      const database = openForCommand(loadConfig());
      try {
        await migrateToLatest(database);
        const started = Date.now();
        const manifest = await runRecordsExport(database, o);
        const bytes = manifest.files.reduce((a, f) => a + f.bytes, 0);
        for (const f of manifest.files) console.log(`${f.name.padEnd(18)} ${String(f.rows).padStart(10)} rows  ${f.sha256}`);
        console.log(`${manifest.files.length} files, ${(bytes / 1e6).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s; chain head #${manifest.chain.head.seq} ${manifest.chain.head.hash}`);
        console.log(`manifest: ${resolve(o.out, 'manifest.json')}`);
      } finally {
        await database.dialect.close();
      }
    });
}
