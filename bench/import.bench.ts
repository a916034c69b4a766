import { statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Transaction } from 'kysely';
import { type BulkColumn, type Database, type DB, type DialectAdapter, migrateToLatest, openDatabase } from '../src/db/index.ts';
import { createUser } from '../src/modules/accounts/index.ts';
import { createProject, type Project } from '../src/modules/projects/index.ts';
import { findTaskType } from '../src/modules/task-types/index.ts';
import { buildTaskDraft, insertTaskDrafts, isProblem, type TaskDraft } from '../src/modules/tasks/index.ts';
import { BENCH_PASSWORD, type Figure, fmt, freshDir, log, type SectionResult, sectionMain, table, tessera, verdict } from './lib/common.ts';
import { ensureJsonl, GOLD_EVERY, taskRow } from './lib/data.ts';
import { createScratchDatabase, dropScratchDatabase } from './lib/pg.ts';
import { createRequesterAndProject, markSqlite1mReady, OVERLAP, PROJECT_PARAMS, REQUESTER_EMAIL, SQLITE_1M, sqlite1mDir, storageEnv } from './lib/fixtures.ts';
import { openRawSqlite } from './lib/sqlite.ts';
import { profilesFor, summariseProfile } from './lib/profile.ts';

// Sections 1 and 2: streaming import of 1,000,000 tasks through `bin/tessera import`, beside a
// bare bulk insert of the same rows into the same migrated schema (the honest ceiling).

const ROWS = SQLITE_1M.rows;
const PROJECT = SQLITE_1M.project;
const PG_BATCH = 5_000;

/** Migrates `database` and creates the requester and project the way the CLI does. */
async function prepareSchema(database: Database): Promise<Project> {
  await migrateToLatest(database);
  const user = await createUser(database.db, { email: REQUESTER_EMAIL, password: BENCH_PASSWORD, role: 'requester' }, Date.now());
  return createProject(
    database.db,
    { ...user, apiKeyId: null, isTest: false },
    { name: PROJECT, type: 'categorization', params: JSON.parse(PROJECT_PARAMS), overlap: { min: OVERLAP } },
    Date.now(),
  );
}

interface PreparedRows {
  /** Columns and PostgreSQL array types, as insertTaskDrafts passes them to the dialect. */
  columns: BulkColumn[];
  rows: unknown[][];
}

/**
 * The 1M rows exactly as the importer would insert them, made up front (outside any timing) by the
 * importer's own code: buildTaskDraft for each row, then insertTaskDrafts with a dialect adapter that
 * only records the columns and values it is handed. So the baselines insert the same columns and
 * bytes as the import, and follow any column the code adds.
 */
async function preSerialise(project: Project, dialect: DialectAdapter): Promise<PreparedRows> {
  const def = findTaskType('categorization');
  if (!def) throw new Error('no categorization type');
  const now = Date.now();
  let columns: BulkColumn[] = [];
  const rows: unknown[][] = [];
  const recorder: DialectAdapter = {
    ...dialect,
    async insertManyIgnoringConflicts(_trx, table, cols, batch) {
      if (table === 'tasks') {
        columns = [...cols];
        for (const r of batch) rows.push(r as unknown[]);
      }
      return [];
    },
  };
  const ctx = { ownerId: project.ownerId, projectId: project.id, type: def.type, isTest: false, importId: null, now };
  for (let start = 0; start < ROWS; start += 10_000) {
    const drafts: TaskDraft[] = [];
    for (let i = start; i < Math.min(ROWS, start + 10_000); i++) {
      const d = buildTaskDraft(project, def, taskRow(i));
      if (isProblem(d)) throw new Error(`row ${i}: ${d.message}`);
      drafts.push(d);
    }
    // The recorder never touches the transaction argument.
    await insertTaskDrafts(undefined as unknown as Transaction<DB>, recorder, ctx, drafts);
  }
  if (rows.length !== ROWS) throw new Error(`recorded ${rows.length} rows`);
  return { columns, rows };
}

/** One prepared INSERT, all rows in one transaction, into a fresh migrated SQLite file; rows/s. */
async function bareSqliteInsert(prepared: PreparedRows, label: string, dropIndexes: boolean): Promise<{ ms: number; checkpointMs: number; indexes: string[] }> {
  const dir = freshDir(`sqlite-bare-${label}`);
  const file = join(dir, 'tessera.db');
  const database = openDatabase({ sqliteFile: file });
  const project = await prepareSchema(database);
  await database.dialect.close();
  const { columns, rows } = prepared;
  const at = (name: string) => rows[0][columns.findIndex((c) => c.name === name)];
  if (project.id !== at('project_id') || project.ownerId !== at('owner_id')) throw new Error('fresh database gave different ids');
  const raw = openRawSqlite(file);
  const secondary = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tasks' AND sql IS NOT NULL").all() as Array<{ name: string }>).map((r) => r.name);
  if (dropIndexes) for (const name of secondary) raw.exec(`DROP INDEX ${name}`);
  const insert = raw.prepare(`INSERT INTO tasks (${columns.map((c) => c.name).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
  const all = raw.transaction((list: unknown[][]) => {
    for (const row of list) insert.run(row);
  });
  const started = performance.now();
  all(rows);
  const ms = performance.now() - started;
  // The commit above runs SQLite's automatic checkpoint; this shows how much write-back, if any,
  // was left over (the import pays for its checkpoints as it goes, so the ceiling must too).
  const checkpointStarted = performance.now();
  raw.pragma('wal_checkpoint(TRUNCATE)');
  const checkpointMs = performance.now() - checkpointStarted;
  const { n } = raw.prepare('SELECT count(*) AS n FROM tasks').get() as { n: number };
  if (n !== ROWS) throw new Error(`bare insert left ${n} rows`);
  raw.close();
  freshDir(`sqlite-bare-${label}`); // empties it: 350 MB we no longer need
  return { ms, checkpointMs, indexes: dropIndexes ? [] : secondary };
}

function profileNote(label: string): string {
  const files = profilesFor(label);
  return files.length ? `\n\nCPU profile of \`${label}\` (top self time, \`node --cpu-prof\`):\n\n${summariseProfile(files[0])}` : '';
}

async function runImportSqlite(): Promise<SectionResult> {
  const genStart = performance.now();
  const file = await ensureJsonl(ROWS);
  const genMs = performance.now() - genStart;
  const bytes = statSync(file).size;

  const dataDir = freshDir('sqlite-1m');
  const env = storageEnv({ dataDir });
  await createRequesterAndProject(env, PROJECT);
  log('SQLite: bin/tessera import of 1M rows');
  const first = await tessera(['import', file, '--project', PROJECT, '--quiet'], env, { time: true, profile: 'import-sqlite' });
  const firstSummary = parseSummary(first.stdout);
  log(`  ${first.stdout.trim()} in ${fmt.s(first.ms)}, peak RSS ${fmt.mb(first.maxRssMb)}`);
  log('SQLite: re-import of the same file');
  const again = await tessera(['import', file, '--project', PROJECT, '--quiet'], env, { time: true });
  const againSummary = parseSummary(again.stdout);
  log(`  ${again.stdout.trim()} in ${fmt.s(again.ms)}`);
  markSqlite1mReady();
  const dbBytes = statSync(join(sqlite1mDir(), 'tessera.db')).size;

  log('SQLite: pre-serialising 1M rows for the bare inserts');
  const prepDb = openDatabase({ sqliteFile: join(freshDir('sqlite-prep'), 'tessera.db') });
  const project = await prepareSchema(prepDb);
  const rows = await preSerialise(project, prepDb.dialect);
  await prepDb.dialect.close();
  freshDir('sqlite-prep');
  log('SQLite: bare insert, migrated tasks table');
  const ceiling = await bareSqliteInsert(rows, 'indexed', false);
  log(`  ${fmt.s(ceiling.ms)}`);
  log('SQLite: bare insert, tasks without secondary indexes');
  const plain = await bareSqliteInsert(rows, 'plain', true);
  log(`  ${fmt.s(plain.ms)}`);

  const rate = (ms: number) => ROWS / (ms / 1000);
  const importRate = rate(first.ms);
  const ceilingRate = rate(ceiling.ms);
  const ratio = importRate / ceilingRate;
  const rssOk = first.maxRssMb !== undefined && first.maxRssMb < 300;
  const figures: Figure[] = [
    { section: 'Import, SQLite', name: '1M tasks, `bin/tessera import`', value: fmt.rate(importRate, 'tasks/s'), baseline: `bare insert ${fmt.rate(ceilingRate, 'rows/s')} → ${fmt.pct(ratio)}`, target: '≥ 50% of bare', met: ratio >= 0.5 },
    { section: 'Import, SQLite', name: 'peak RSS of the import process', value: fmt.mb(first.maxRssMb), baseline: '—', target: '< 300 MB', met: rssOk },
    { section: 'Import, SQLite', name: 're-import of the same 1M rows', value: fmt.rate(rate(again.ms), 'rows/s'), baseline: '—', target: '—' },
  ];
  const md = [
    '## 1. Import, SQLite',
    '',
    `Input: ${ROWS.toLocaleString('en')} categorization tasks as JSONL, ${(bytes / 1e6).toFixed(0)} MB (${(bytes / ROWS).toFixed(0)} bytes/row on average), generated by`,
    `\`bench/lib/data.ts\` and streamed to a temp file (${fmt.s(genMs)}${genMs < 100 ? ', reused from earlier in this run' : ''}). Every ${GOLD_EVERY}th row is gold (\`"gold":"a"\`, 5%); the`,
    'same file feeds the list and work sections. Project: overlap 3, categories a/b/c, created with `bin/tessera project create`.',
    '',
    'The import runs as an operator runs it: `bin/tessera import FILE --project bench-1m --quiet` in a child process with',
    '`DATA_DIR` on a fresh temp folder. Wall time is the whole command (Node + tsx start-up and the migration check',
    'included); peak RSS is `/usr/bin/time -v`\'s "Maximum resident set size" of that child. The import\'s own timer',
    '(printed by the CLI) is shown beside it.',
    '',
    'Baselines, same run: the same 1M rows, made up front by the importer\'s own code (`buildTaskDraft`, then the column list',
    `and values \`insertTaskDrafts\` hands the dialect, recorded: ${rows.columns.length} columns, byte-identical values), inserted with one prepared`,
    '`INSERT INTO tasks` in **one** transaction through bare better-sqlite3 into a',
    'fresh database migrated with our migrations (`openDatabase` + `migrateToLatest`, same pragmas: WAL,',
    `synchronous=NORMAL, foreign keys on). That table has ${ceiling.indexes.length} secondary indexes (${ceiling.indexes.map((i) => `\`${i}\``).join(', ')}), every one`,
    'of which the import also maintains: this is the honest ceiling. Second reference: the same insert after dropping those',
    'indexes (primary key and foreign keys kept).',
    '',
    table(
      ['', 'rows/s', 'wall time', 'peak RSS'],
      [
        ['`bin/tessera import`, 1M new rows (whole command)', fmt.rate(importRate, ''), fmt.s(first.ms), fmt.mb(first.maxRssMb)],
        ['  same import, its own timer (excl. start-up)', fmt.rate(firstSummary ? ROWS / firstSummary.seconds : Number.NaN, ''), firstSummary ? `${firstSummary.seconds.toFixed(1)} s` : '—', ''],
        ['re-import of the same file (all 1M already there)', fmt.rate(rate(again.ms), ''), fmt.s(again.ms), fmt.mb(again.maxRssMb)],
        ['**ceiling**: bare insert, migrated `tasks`, one transaction', fmt.rate(ceilingRate, ''), fmt.s(ceiling.ms), '—'],
        ['reference: bare insert, `tasks` without secondary indexes', fmt.rate(rate(plain.ms), ''), fmt.s(plain.ms), '—'],
      ],
    ),
    '',
    'The bare times include the commit and the automatic WAL checkpoint SQLite runs after it; an explicit',
    `\`wal_checkpoint(TRUNCATE)\` afterwards (not counted) found ${fmt.s(ceiling.checkpointMs)} (indexed) and ${fmt.s(plain.checkpointMs)} (plain) of work left, so the`,
    'ceiling does not leave write-back unpaid that the import pays for.',
    '',
    `Import results as the CLI reported them: first run "${first.stdout.trim().split('\n')[0]}"; re-import "${again.stdout.trim().split('\n')[0]}".`,
    `The database holds 1M tasks in ${(dbBytes / 1e6).toFixed(0)} MB.`,
    '',
    `Targets: import ≥ 50% of the ceiling — ${verdict(ratio >= 0.5)} (${fmt.pct(ratio)}); peak RSS < 300 MB — ${verdict(rssOk)} (${fmt.mb(first.maxRssMb)}).`,
    `Re-import: ${fmt.rate(rate(again.ms), 'rows/s')} (${againSummary ? `${againSummary.existing.toLocaleString('en')} rows found already there` : 'see above'}).`,
  ].join('\n');
  return { markdown: md + profileNote('import-sqlite'), figures };
}

function parseSummary(stdout: string): { rows: number; inserted: number; existing: number; failed: number; seconds: number } | undefined {
  const m = /(\d+) rows: (\d+) imported, (\d+) already there, (\d+) failed \(([\d.]+) s\)/.exec(stdout);
  return m ? { rows: Number(m[1]), inserted: Number(m[2]), existing: Number(m[3]), failed: Number(m[4]), seconds: Number(m[5]) } : undefined;
}

async function runImportPostgres(): Promise<SectionResult> {
  const file = await ensureJsonl(ROWS);
  const target = await createScratchDatabase('import');
  const bare = await createScratchDatabase('import_bare');
  try {
    const env = storageEnv({ url: target.url });
    await createRequesterAndProject(env, PROJECT);
    log('PostgreSQL: bin/tessera import of 1M rows');
    const run = await tessera(['import', file, '--project', PROJECT, '--quiet'], env, { time: true, profile: 'import-pg' });
    const summary = parseSummary(run.stdout);
    log(`  ${run.stdout.trim()} in ${fmt.s(run.ms)}, peak RSS ${fmt.mb(run.maxRssMb)}`);
    await dropScratchDatabase(target.name);

    log('PostgreSQL: bare batched unnest insert');
    const database = openDatabase({ postgresUrl: bare.url, poolSize: 1 });
    const project = await prepareSchema(database);
    const { columns, rows } = await preSerialise(project, database.dialect);
    await database.dialect.close();
    // Column arrays per batch, built before the clock starts: only shipping and inserting is timed.
    const batches: unknown[][][] = [];
    for (let start = 0; start < rows.length; start += PG_BATCH) {
      const slice = rows.slice(start, start + PG_BATCH);
      batches.push(columns.map((_, c) => slice.map((r) => r[c] ?? null)));
    }
    rows.length = 0;
    const text = `INSERT INTO tasks (${columns.map((c) => c.name).join(', ')}) SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${c.pgType}[]`).join(', ')})`;
    const client = new pg.Client({ connectionString: bare.url });
    await client.connect();
    const started = performance.now();
    for (const arrays of batches) await client.query(text, arrays);
    const bareMs = performance.now() - started;
    const { rows: count } = await client.query<{ n: string }>('SELECT count(*) AS n FROM tasks');
    await client.end();
    if (Number(count[0].n) !== ROWS) throw new Error(`bare insert left ${count[0].n} rows`);
    log(`  ${fmt.s(bareMs)}`);

    const importRate = ROWS / (run.ms / 1000);
    const bareRate = ROWS / (bareMs / 1000);
    const ratio = importRate / bareRate;
    const figures: Figure[] = [
      { section: 'Import, PostgreSQL', name: '1M tasks, `bin/tessera import`', value: fmt.rate(importRate, 'tasks/s'), baseline: `bare unnest ${fmt.rate(bareRate, 'rows/s')} → ${fmt.pct(ratio)}`, target: '≥ 50% of bare', met: ratio >= 0.5 },
    ];
    const md = [
      '## 2. Import, PostgreSQL',
      '',
      'The same 1M-row file through `bin/tessera import` with `DATABASE_URL` on a fresh scratch database (created and',
      'dropped by the benchmark; PostgreSQL runs on the same 2 cores). Baseline, same run: the same rows, made up front by',
      `\`buildTaskDraft\` and recorded from \`insertTaskDrafts\` (${columns.length} columns), sent with \`pg\` as \`INSERT INTO tasks (...) SELECT * FROM unnest($1::bigint[], ...)\` in batches of ${PG_BATCH.toLocaleString('en')}`,
      '(one autocommit statement per batch, one connection) into another fresh database migrated with our migrations.',
      '',
      table(
        ['', 'rows/s', 'wall time', 'peak RSS'],
        [
          ['`bin/tessera import`, 1M new rows (whole command)', fmt.rate(importRate, ''), fmt.s(run.ms), fmt.mb(run.maxRssMb)],
          ['  same import, its own timer', fmt.rate(summary ? ROWS / summary.seconds : Number.NaN, ''), summary ? `${summary.seconds.toFixed(1)} s` : '—', ''],
          [`**baseline**: bare batched unnest insert (${PG_BATCH.toLocaleString('en')}/batch)`, fmt.rate(bareRate, ''), fmt.s(bareMs), '—'],
        ],
      ),
      '',
      `CLI output: "${run.stdout.trim().split('\n')[0]}".`,
      '',
      `Target: import ≥ 50% of the bare batched insert — ${verdict(ratio >= 0.5)} (${fmt.pct(ratio)}).`,
    ].join('\n');
    return { markdown: md + profileNote('import-pg'), figures };
  } finally {
    await dropScratchDatabase(target.name);
    await dropScratchDatabase(bare.name);
  }
}

await sectionMain(import.meta.url, { import: runImportSqlite, 'import-pg': runImportPostgres });
