import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import { migrateToLatest, openDatabase } from '../src/db/index.ts';
import { closeDueWeeks, exportRecords, verifyChain } from '../src/modules/ledger/index.ts';
import { addDays, weekByKey, weekKeyOf } from '../src/modules/ledger/week.ts';
import { type Figure, sectionMain } from './lib/common.ts';

/*
 * The fair-work ledger at scale, on a fresh migrated SQLite database (bench/run.ts section "ledger"):
 * 10,000 workers x 50 assignments each, spread over the 52 workweeks of 2025 in three time zones,
 * written with direct bulk inserts (users, one task per slot, assignments, time segments, piece pay).
 *
 *  - the week close job, week after week through the year: time per job run and in total, and peak
 *    memory, beside a plain SQL sum of the same ledger (pay and paid time per worker-week) in this run;
 *  - recomputing every closed week from the raw rows (verifyChain);
 *  - the records export of that year: time and MB/s, beside a bare read of the same rows.
 *
 * LEDGER_BENCH_WORKERS and LEDGER_BENCH_ASSIGNMENTS scale it down for a quick look.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ZONES = ['UTC', 'America/New_York', 'Asia/Tokyo'];
const PROJECTS = 20;

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(2);
}

function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((a, f) => a + statSync(join(dir, f)).size, 0);
}

// Samples the process's RSS every 20 ms from a worker thread, which keeps sampling while the main
// thread runs long stretches without yielding to its event loop (a loop of synchronous SQLite
// transactions does), and answers with the highest value seen.
const RSS_SAMPLER = `
const { parentPort } = require('node:worker_threads');
let peak = process.memoryUsage.rss();
setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 20);
parentPort.on('message', () => { peak = Math.max(peak, process.memoryUsage.rss()); parentPort.postMessage(peak); });
`;

/**
 * Tracks peak RSS (sampled on a worker thread, see RSS_SAMPLER) and peak JS heap while `fn` runs.
 * The heap can only be sampled on the main thread, between turns of its event loop.
 */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ value: T; peakRss: number; startRss: number; peakHeap: number; startHeap: number }> {
  const sampler = new Worker(RSS_SAMPLER, { eval: true });
  await once(sampler, 'online');
  const start = process.memoryUsage();
  let peakHeap = start.heapUsed;
  const timer = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 20);
  try {
    const value = await fn();
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    const peakRss = await new Promise<number>((resolve) => {
      sampler.once('message', resolve);
      sampler.postMessage('peak');
    });
    return { value, peakRss, startRss: start.rss, peakHeap, startHeap: start.heapUsed };
  } finally {
    clearInterval(timer);
    await sampler.terminate();
  }
}

/** Deterministic pseudo-random numbers (mulberry32), so every run builds the same data. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function build(file: string, workers: number, perWorker: number): { weeks: string[]; rows: Record<string, number> } {
  const raw = new SqliteDatabase(file);
  raw.pragma('journal_mode = WAL');
  // A bulk load: no fsync, and the secondary indexes of the big tables are built once at the end
  // (the same definitions, read back from the schema), as a restore would.
  raw.pragma('synchronous = OFF');
  const bulkTables = ['assignments', 'time_segments', 'ledger_entries'];
  const indexes = raw
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${bulkTables.map(() => '?').join(', ')})`)
    .all(...bulkTables) as { name: string; sql: string }[];
  for (const index of indexes) raw.exec(`DROP INDEX ${index.name}`);
  const weekKeys = new Map<string, string>();
  // Offsets of these zones are whole hours: every instant of an hour is in the same week.
  const weekKey = (ms: number, tz: string) => {
    const k = `${tz}|${Math.floor(ms / HOUR)}`;
    let key = weekKeys.get(k);
    if (!key) weekKeys.set(k, (key = weekKeyOf(ms, tz, 1)));
    return key;
  };
  const rand = random(2025);
  const now = Date.UTC(2025, 0, 1);
  const rows: Record<string, number> = {};
  const count = (table: string, n = 1) => {
    rows[table] = (rows[table] ?? 0) + n;
  };
  raw.transaction(() => {
    const user = raw.prepare(`INSERT INTO users (email, password_hash, role, display_name, languages, locale, timezone, active, created_at) VALUES (?, 'x', ?, ?, '["en"]', 'en', ?, 1, ?)`);
    const owner = Number(user.run('owner@bench.test', 'requester', 'owner', 'UTC', now).lastInsertRowid);
    const project = raw.prepare(`INSERT INTO projects (owner_id, name, type, params, instructions, overlap_min, overlap_max, priority, gold_rate, review_policy, pay, lease_seconds, idle_grace_seconds, per_worker_cap, languages, content_warnings, status, created_at, updated_at)
      VALUES (?, ?, 'categorization', '{"categories":["a","b"]}', '{}', 1, 1, 0, 0, '{"mode":"none","deadline_days":3}', ?, 600, 300, NULL, '[]', '[]', 'active', ?, ?)`);
    const card = raw.prepare(`INSERT INTO rate_cards (project_id, version, kind, currency, piece_rate_minor, hourly_minor, paid_categories, effective_from, reason, created_by, created_at)
      VALUES (?, 1, 'piece', 'USD', ?, 0, '["task_active","short_idle","instructions","qualification","training","review_rework"]', 0, 'initial', NULL, ?)`);
    const projects: { id: number; card: number; piece: number }[] = [];
    for (let p = 0; p < PROJECTS; p++) {
      const piece = 5 + Math.floor(rand() * 40);
      const id = Number(project.run(owner, `bench-${p}`, JSON.stringify({ currency: 'USD', piece_rate_minor: piece, promised_hourly_minor: 0, estimated_seconds: 120 }), now, now).lastInsertRowid);
      projects.push({ id, card: Number(card.run(id, piece, now).lastInsertRowid), piece });
    }
    count('projects', PROJECTS);
    // One task per (project, slot): worker w's j-th assignment takes slot j, so (task, worker) stays unique.
    const task = raw.prepare(`INSERT INTO tasks (owner_id, project_id, type, status, is_test, is_gold, params, attachments, dedupe_key, priority, responses_required, metadata, tags, answers_count, active_count, created_at, updated_at)
      VALUES (?, ?, 'categorization', 'pending', 0, 0, '{}', '[]', ?, 0, 1000000, '{}', '[]', 0, 0, ?, ?)`);
    const tasks: number[][] = projects.map((p) => Array.from({ length: perWorker }, (_, j) => Number(task.run(owner, p.id, `b-${p.id}-${j}`, now, now).lastInsertRowid)));
    count('tasks', PROJECTS * perWorker);

    const account = raw.prepare('INSERT INTO ledger_accounts (worker_id, timezone, week_start_day, closed_through, next_open_week, created_at) VALUES (?, ?, 1, NULL, ?, ?)');
    const profile = raw.prepare(`INSERT INTO worker_pay_profiles (worker_id, jurisdiction, engagement, currency, timezone, week_start_day, created_by, created_at) VALUES (?, ?, ?, 'USD', ?, 1, NULL, ?)`);
    const assignment = raw.prepare(`INSERT INTO assignments (task_id, project_id, worker_id, status, is_gold, claimed_at, lease_expires_at, ended_at, response, shown, active_ms, short_idle_ms, long_idle_ms, idle_streak_ms, last_signal_at, idle_grace_ms)
      VALUES (?, ?, ?, 'submitted', 0, ?, ?, ?, '{"category":"a"}', ?, ?, ?, ?, 0, ?, 300000)`);
    const segment = raw.prepare(`INSERT INTO time_segments (worker_id, project_id, assignment_id, activity_id, category, started_at, ended_at, ms, paid, rate_card_id, week_key, created_at) VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const entry = raw.prepare(`INSERT INTO ledger_entries (worker_id, project_id, assignment_id, kind, amount_minor, currency, week_key, rate_card_id, memo, dedupe_key, created_by_rule, created_at) VALUES (?, ?, ?, 'piece', ?, 'USD', ?, ?, '{}', ?, 'approved_without_review', ?)`);
    const jurisdictions = [null, 'US', 'US-CA', 'GB', 'DE'];
    for (let w = 0; w < workers; w++) {
      const tz = ZONES[w % ZONES.length];
      const id = Number(user.run(`w${w}@bench.test`, 'worker', `w${w}`, tz, now).lastInsertRowid);
      const jurisdiction = jurisdictions[w % jurisdictions.length];
      // Settled in USD: GB and DE workers' floors convert at the rates recorded below.
      profile.run(id, jurisdiction, w % 10 === 0 ? 'employee' : 'contractor', tz, now);
      let first = '9999-12-31';
      for (let j = 0; j < perWorker; j++) {
        const p = projects[(w + j) % PROJECTS];
        const week = Math.floor((j * 52) / perWorker);
        const claimed = Date.UTC(2025, 0, 6) + week * 7 * DAY + Math.floor(rand() * 5 * DAY) + 9 * HOUR;
        const active = 60_000 + Math.floor(rand() * 600_000);
        const short = Math.floor(rand() * 60_000);
        const long = rand() < 0.1 ? Math.floor(rand() * 900_000) : 0;
        const ended = claimed + active + short + long;
        const shown = JSON.stringify({ seconds: 120, pay_minor: p.piece, hourly_minor: p.piece * 30, currency: 'USD', review_deadline_days: 3, content_warnings: [] });
        const aid = Number(assignment.run(tasks[(w + j) % PROJECTS][j], p.id, id, claimed, ended + 600_000, ended, shown, active, short, long, ended).lastInsertRowid);
        const key = weekKey(claimed, tz);
        if (key < first) first = key;
        segment.run(id, p.id, aid, 'task_active', claimed, ended, active, 1, p.card, key, ended);
        if (short) segment.run(id, p.id, aid, 'short_idle', claimed, ended, short, 1, p.card, key, ended);
        if (long) segment.run(id, p.id, aid, 'long_idle', claimed, ended, long, 0, p.card, key, ended);
        entry.run(id, p.id, aid, p.piece, key, p.card, `piece:${aid}`, ended);
        count('assignments');
        count('time_segments', 1 + (short ? 1 : 0) + (long ? 1 : 0));
        count('ledger_entries');
      }
      account.run(id, tz, first, now);
    }
    count('workers', workers);
    const fx = raw.prepare(`INSERT INTO fx_rates (base, quote, effective_from, num, den, source, created_at) VALUES (?, 'USD', '2024-12-01', ?, ?, 'bench', 0)`);
    fx.run('GBP', 127, 100);
    fx.run('EUR', 109, 100);
  })();
  for (const index of indexes) raw.exec(index.sql);
  raw.pragma('synchronous = NORMAL');
  raw.close();
  const weeks: string[] = [];
  for (let k = weekKeyOf(Date.UTC(2024, 11, 30), 'UTC', 1); k <= '2026-01-05'; k = addDays(k, 7)) weeks.push(k);
  return { weeks, rows };
}

/** The headline figures of the last run, for bench/run.ts's summary. */
export let ledgerFigures: Figure[] = [];

/** Runs the ledger benchmark and returns its Markdown (the figures are in `ledgerFigures`). */
export async function runLedgerBench(): Promise<string> {
  const workers = Number(process.env.LEDGER_BENCH_WORKERS ?? 10_000);
  const perWorker = Number(process.env.LEDGER_BENCH_ASSIGNMENTS ?? 50);
  const dir = mkdtempSync(join(tmpdir(), 'tessera-ledger-bench-'));
  const file = join(dir, 'tessera.db');
  try {
    const database = openDatabase({ sqliteFile: file });
    await migrateToLatest(database);
    let t0 = performance.now();
    const { weeks, rows } = build(file, workers, perWorker);
    const buildMs = performance.now() - t0;

    // Baseline: the same ledger summed by plain SQL, per worker-week (pay and paid time).
    const raw = new SqliteDatabase(file, { readonly: true });
    t0 = performance.now();
    const pay = raw.prepare('SELECT worker_id, week_key, SUM(amount_minor) AS s FROM ledger_entries GROUP BY worker_id, week_key').all().length;
    const time = raw.prepare('SELECT worker_id, week_key, SUM(ms) AS s FROM time_segments WHERE paid = 1 GROUP BY worker_id, week_key').all().length;
    const sumMs = performance.now() - t0;
    raw.close();

    // The week close job, run as it runs in production: once a week, after the week ends (plus grace).
    const perRun: number[] = [];
    let closed = 0;
    const run = await withPeakRss(async () => {
      for (const key of weeks) {
        const end = weekByKey(key, 'Asia/Tokyo').endAt;
        // Every zone's week with this key has ended 7 hours after the westernmost one (New York) ends.
        const at = Math.max(end, weekByKey(key, 'America/New_York').endAt) + 7 * HOUR;
        const started = performance.now();
        const result = await closeDueWeeks(database, at);
        if (result.deferred.length) throw new Error(`deferred: ${JSON.stringify(result.deferred.slice(0, 3))}`);
        perRun.push(performance.now() - started);
        closed += result.closed;
      }
    });
    const closeMs = perRun.reduce((a, b) => a + b, 0);
    const busiest = Math.max(...perRun);

    t0 = performance.now();
    const check = await verifyChain(database);
    const verifyMs = performance.now() - t0;
    if (check.mismatches.length) throw new Error(`chain mismatch: ${JSON.stringify(check.mismatches[0])}`);

    // Records export of the year, and beside it a bare read of the same rows.
    const out = join(dir, 'records');
    const exported = await withPeakRss(async () => {
      const started = performance.now();
      const manifest = await exportRecords(database, { from: '2025-01-01', to: '2025-12-31', outDir: out, now: Date.now() });
      return { manifest, ms: performance.now() - started };
    });
    const bytes = dirBytes(out);
    const bare = new SqliteDatabase(file, { readonly: true });
    t0 = performance.now();
    let bareRows = 0;
    for (const table of ['week_closes', 'time_segments', 'ledger_entries', 'assignments']) for (const _ of bare.prepare(`SELECT * FROM ${table}`).iterate()) bareRows++;
    const bareMs = performance.now() - t0;
    bare.close();
    await database.dialect.close();

    const exportMs = exported.value.ms;
    const exportRows = exported.value.manifest.files.reduce((a, f) => a + f.rows, 0);
    ledgerFigures = [
      { section: 'ledger', name: 'week close, worker-weeks/s (SQLite)', value: `${Math.round(closed / (closeMs / 1000)).toLocaleString('en')}/s`, baseline: `plain SQL sum ${seconds(sumMs)} s for the year`, target: '' },
      { section: 'ledger', name: `busiest weekly close run (${workers.toLocaleString('en')} workers)`, value: `${seconds(busiest)} s, peak RSS ${mb(run.peakRss)} MB`, baseline: '', target: '' },
      { section: 'ledger', name: 'recomputed weeks matching their hash', value: `${check.checked - check.mismatches.length}/${check.checked}`, baseline: '', target: 'all', met: check.mismatches.length === 0 },
      { section: 'ledger', name: 'records export of the year', value: `${(bytes / 1e6 / (exportMs / 1000)).toFixed(1)} MB/s`, baseline: `bare read ${seconds(bareMs)} s`, target: '' },
    ];
    return [
      '## Fair-work ledger (SQLite)',
      '',
      `${workers.toLocaleString('en')} workers x ${perWorker} assignments over the 52 workweeks of 2025 (three time zones, five jurisdictions, a tenth employees): ${rows.assignments.toLocaleString('en')} assignments, ${rows.time_segments.toLocaleString('en')} time segments, ${rows.ledger_entries.toLocaleString('en')} ledger entries, built by bulk insert in ${seconds(buildMs)} s.`,
      '',
      '| what | figure | baseline in the same run |',
      '|---|---|---|',
      `| week close job, whole year (${weeks.length} weekly runs) | ${closed.toLocaleString('en')} worker-weeks closed in ${seconds(closeMs)} s = ${Math.round(closed / (closeMs / 1000)).toLocaleString('en')} worker-weeks/s | plain SQL sum of pay and paid time per worker-week over the same ledger: ${(pay + time).toLocaleString('en')} groups in ${seconds(sumMs)} s |`,
      `| busiest weekly run | ${seconds(busiest)} s | |`,
      `| memory during the closes | peak RSS ${mb(run.peakRss)} MB (${mb(run.startRss)} MB before), peak JS heap ${mb(run.peakHeap)} MB (${mb(run.startHeap)} MB before) | |`,
      `| recompute every closed week from raw rows and check the chain | ${check.checked.toLocaleString('en')} weeks in ${seconds(verifyMs)} s, 0 mismatches | |`,
      `| records export of the year | ${exportRows.toLocaleString('en')} rows, ${mb(bytes)} MB in ${seconds(exportMs)} s = ${(bytes / 1e6 / (exportMs / 1000)).toFixed(1)} MB/s, peak RSS ${mb(exported.peakRss)} MB | bare read of the same tables: ${bareRows.toLocaleString('en')} rows in ${seconds(bareMs)} s |`,
      '',
      'Peak RSS is sampled every 20 ms on a worker thread of the benchmark process (the sampler itself is in the "before"); the JS heap can only be sampled on the main thread, between turns of its event loop, so it misses peaks inside a stretch that never yields.',
      '',
      'A close computes paid hours, net pay, the floor per project (platform floor, jurisdiction minimum, promise, with exchange rates), the top-up and its split, overtime for employees, adjustments for past weeks and the payout, writes them as ledger rows and chains the SHA-256 of its canonical payload; the baseline only adds numbers up.',
      '',
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await sectionMain(import.meta.url, { ledger: async () => ({ markdown: await runLedgerBench(), figures: ledgerFigures }) });
