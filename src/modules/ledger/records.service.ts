import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { AppError } from '../../server/errors.ts';
import { type LedgerDB, ledgerDb } from './ledger.tables.ts';
import { csvCell } from './reports.service.ts';
import { isDate } from './settings.service.ts';
import { chainHead } from './week-close.service.ts';
import { addDays } from './week.ts';

/*
 * The records export (FAIRWORK "Reports"; 29 CFR 516.2 records): workers, workweeks, time segments,
 * units of work, rate cards, ledger, decisions, appeals, sanctions and the dated floor tables as CSV,
 * with a manifest of SHA-256 sums and the head of the week hash chain. Each closed week carries its
 * hashed payload, so anyone can re-hash the chain from the files; recomputing the payloads from the
 * raw rows is `verifyChain`. Files are written page by page: memory stays flat at any size.
 */

export interface RecordsOptions {
  from: string;
  to: string;
  /** Only this worker (by email). */
  workerEmail?: string;
  outDir: string;
  now: number;
}

export interface ManifestFile {
  name: string;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface RecordsManifest {
  format: 'tessera-records/1';
  generated_at: string;
  range: { from: string; to: string; first_week: string; last_week: string };
  worker: string | null;
  files: ManifestFile[];
  chain: { head: { seq: number; hash: string }; exported: { first_seq: number | null; last_seq: number | null; count: number } };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const PAGE = 5000;

/** A text file written as a stream and hashed as it goes. */
class TextFile {
  protected readonly hash = createHash('sha256');
  protected readonly out;
  protected buffer = '';
  rows = 0;
  bytes = 0;
  constructor(
    readonly name: string,
    dir: string,
  ) {
    this.out = createWriteStream(join(dir, name));
  }

  async line(text: string): Promise<void> {
    this.rows++;
    this.buffer += `${text}\n`;
    if (this.buffer.length >= 1 << 20) await this.flush();
  }

  protected async flush(): Promise<void> {
    if (!this.buffer) return;
    const chunk = Buffer.from(this.buffer, 'utf8');
    this.buffer = '';
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  async close(): Promise<ManifestFile> {
    await this.flush();
    this.out.end();
    await once(this.out, 'finish');
    return { name: this.name, rows: this.rows, bytes: this.bytes, sha256: this.hash.digest('hex') };
  }
}

/** A CSV file written as a stream and hashed as it goes; its header is not a row. */
class CsvFile extends TextFile {
  constructor(name: string, dir: string, header: string[]) {
    super(name, dir);
    this.buffer = `${header.join(',')}\n`;
  }

  async row(cells: unknown[]): Promise<void> {
    let line = '';
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i];
      if (i) line += ',';
      // Numbers never need quoting; text goes through the one CSV quoting rule.
      if (typeof c === 'number') line += String(c);
      else if (c !== null && c !== undefined) line += csvCell(String(c));
    }
    await this.line(line);
  }
}

/** Pages through a table by id (keyset), `fn` building the query for rows after `after`. */
async function* pages<T extends { id: number }>(fn: (after: number) => Promise<T[]>): AsyncGenerator<T> {
  let after = 0;
  for (;;) {
    const rows = await fn(after);
    for (const r of rows) yield r;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1].id;
  }
}

/**
 * Writes the records of the workweeks starting within [from - 6 days, to] (all workers, or one) into
 * `outDir` and returns the manifest (also written as manifest.json). Throws invalid_date, user_not_found.
 */
export async function exportRecords(database: Database, opts: RecordsOptions): Promise<RecordsManifest> {
  if (!isDate(opts.from) || !isDate(opts.to) || opts.from > opts.to) throw new AppError('invalid_date');
  const h: Kysely<LedgerDB> = ledgerDb(database.db);
  let workerId: number | null = null;
  if (opts.workerEmail !== undefined) {
    const user = await h.selectFrom('users').select('id').where('email', '=', opts.workerEmail.trim().toLowerCase()).executeTakeFirst();
    if (!user) throw new AppError('user_not_found', `no user with email ${opts.workerEmail}`);
    workerId = user.id;
  }
  const firstWeek = addDays(opts.from, -6);
  const lastWeek = opts.to;
  mkdirSync(opts.outDir, { recursive: true });
  const files: ManifestFile[] = [];
  const workers = new Set<number>();
  const projects = new Set<number>();
  const assignments = new Set<number>();

  // Workweeks first: they name the workers in scope.
  const weeks = new CsvFile('workweeks.csv', opts.outDir, ['seq', 'worker_id', 'week', 'start_at', 'end_at', 'currency', 'paid_ms', 'net_minor', 'required_minor', 'topup_minor', 'overtime_minor', 'adjustment_minor', 'closed_at', 'prev_hash', 'hash']);
  // The hashed payloads, byte for byte, one per line: "<seq> <hash> <canonical JSON>". SHA-256 of
  // prev_hash + "\n" + the JSON gives the hash; kept out of the CSV so no quoting touches them.
  const payloads = new TextFile('workweek_payloads.txt', opts.outDir);
  let firstSeq: number | null = null;
  let lastSeq: number | null = null;
  for await (const c of pages((after) => h.selectFrom('week_closes').selectAll().where('week_key', '>=', firstWeek).where('week_key', '<=', lastWeek).where('id', '>', after).$if(workerId !== null, (qb) => qb.where('worker_id', '=', workerId as number)).orderBy('id').limit(PAGE).execute())) {
    workers.add(c.worker_id);
    firstSeq = firstSeq === null ? c.seq : Math.min(firstSeq, c.seq);
    lastSeq = lastSeq === null ? c.seq : Math.max(lastSeq, c.seq);
    await weeks.row([c.seq, c.worker_id, c.week_key, iso(c.week_start_at), iso(c.week_end_at), c.currency, c.paid_ms, c.net_minor, c.required_minor, c.topup_minor, c.overtime_minor, c.adjustment_minor, iso(c.closed_at), c.prev_hash, c.hash]);
    await payloads.line(`${c.seq} ${c.hash} ${c.payload}`);
  }
  files.push(await weeks.close(), await payloads.close());

  const segments = new CsvFile('time_segments.csv', opts.outDir, ['id', 'worker_id', 'project_id', 'assignment_id', 'activity_id', 'category', 'started_at', 'ended_at', 'ms', 'paid', 'rate_card_id', 'week', 'recorded_at']);
  for await (const s of pages((after) => h.selectFrom('time_segments').selectAll().where('week_key', '>=', firstWeek).where('week_key', '<=', lastWeek).where('id', '>', after).$if(workerId !== null, (qb) => qb.where('worker_id', '=', workerId as number)).orderBy('id').limit(PAGE).execute())) {
    workers.add(s.worker_id);
    if (s.project_id !== null) projects.add(s.project_id);
    if (s.assignment_id !== null) assignments.add(s.assignment_id);
    await segments.row([s.id, s.worker_id, s.project_id, s.assignment_id, s.activity_id, s.category, iso(s.started_at), iso(s.ended_at), s.ms, s.paid, s.rate_card_id, s.week_key, iso(s.created_at)]);
  }
  files.push(await segments.close());

  const ledger = new CsvFile('ledger.csv', opts.outDir, ['id', 'worker_id', 'week', 'kind', 'amount_minor', 'currency', 'project_id', 'assignment_id', 'rate_card_id', 'decision_id', 'appeal_id', 'reverses_id', 'close_id', 'by_user', 'by_rule', 'memo', 'recorded_at']);
  for await (const e of pages((after) => h.selectFrom('ledger_entries').selectAll().where('week_key', '>=', firstWeek).where('week_key', '<=', lastWeek).where('id', '>', after).$if(workerId !== null, (qb) => qb.where('worker_id', '=', workerId as number)).orderBy('id').limit(PAGE).execute())) {
    workers.add(e.worker_id);
    if (e.project_id !== null) projects.add(e.project_id);
    if (e.assignment_id !== null) assignments.add(e.assignment_id);
    await ledger.row([e.id, e.worker_id, e.week_key, e.kind, e.amount_minor, e.currency, e.project_id, e.assignment_id, e.rate_card_id, e.decision_id, e.appeal_id, e.reverses_id, e.close_id, e.created_by, e.created_by_rule, e.memo, iso(e.created_at)]);
  }
  files.push(await ledger.close());

  const units = new CsvFile('units.csv', opts.outDir, ['assignment_id', 'worker_id', 'project_id', 'task_id', 'status', 'claimed_at', 'ended_at', 'active_ms', 'short_idle_ms', 'long_idle_ms', 'review_status', 'gold_score', 'shown']);
  const ids = [...assignments].sort((a, b) => a - b);
  for (let i = 0; i < ids.length; i += PAGE) {
    const rows = await h.selectFrom('assignments').selectAll().where('id', 'in', ids.slice(i, i + PAGE)).orderBy('id').execute();
    for (const a of rows) await units.row([a.id, a.worker_id, a.project_id, a.task_id, a.status, iso(a.claimed_at), iso(a.ended_at), a.active_ms, a.short_idle_ms, a.long_idle_ms, a.review_status, a.gold_score, a.shown]);
  }
  files.push(await units.close());

  const fromMs = Date.parse(`${firstWeek}T00:00:00Z`) - 86_400_000;
  const toMs = Date.parse(`${lastWeek}T00:00:00Z`) + 8 * 86_400_000;
  const decisions = new CsvFile('decisions.csv', opts.outDir, ['id', 'kind', 'worker_id', 'project_id', 'task_id', 'assignment_id', 'reason_code', 'text', 'evidence', 'decider_id', 'decider_rule', 'status', 'hold_reason', 'decided_at', 'confirmed_by', 'confirmation', 'confirmation_text', 'confirmed_at']);
  for await (const d of pages((after) => h.selectFrom('decisions').selectAll().where('created_at', '>=', fromMs).where('created_at', '<', toMs).where('id', '>', after).$if(workerId !== null, (qb) => qb.where('worker_id', '=', workerId as number)).orderBy('id').limit(PAGE).execute())) {
    const c = await h.selectFrom('decision_confirmations').selectAll().where('decision_id', '=', d.id).executeTakeFirst();
    await decisions.row([d.id, d.kind, d.worker_id, d.project_id, d.task_id, d.assignment_id, d.reason_code, d.text, d.evidence, d.decider_id, d.decider_rule, d.status, d.hold_reason, iso(d.created_at), c?.confirmer_id, c?.outcome, c?.text, c ? iso(c.created_at) : null]);
  }
  files.push(await decisions.close());

  const appeals = new CsvFile('appeals.csv', opts.outDir, ['id', 'worker_id', 'subject_kind', 'subject_id', 'project_id', 'original_decider_id', 'is_money', 'claimed_minor', 'currency', 'text', 'due_at', 'filed_at', 'event', 'event_actor_id', 'event_rule', 'assignee_id', 'outcome', 'event_text', 'restored_minor', 'event_at']);
  for await (const a of pages((after) => h.selectFrom('appeals').selectAll().where('created_at', '>=', fromMs).where('created_at', '<', toMs).where('id', '>', after).$if(workerId !== null, (qb) => qb.where('worker_id', '=', workerId as number)).orderBy('id').limit(PAGE).execute())) {
    const events = await h.selectFrom('appeal_events').selectAll().where('appeal_id', '=', a.id).orderBy('id').execute();
    const base = [a.id, a.worker_id, a.subject_kind, a.subject_id, a.project_id, a.original_decider_id, a.is_money, a.claimed_minor, a.currency, a.text, iso(a.due_at), iso(a.created_at)];
    if (events.length === 0) await appeals.row([...base, 'filed', null, null, null, null, null, null, null]);
    for (const e of events) await appeals.row([...base, e.kind, e.actor_id, e.actor_rule, e.assignee_id, e.outcome, e.text, e.restored_minor, iso(e.created_at)]);
  }
  files.push(await appeals.close());

  const sanctions = new CsvFile('sanctions.csv', opts.outDir, ['id', 'worker_id', 'level', 'project_id', 'reason_code', 'statement', 'evidence', 'decider_id', 'needs_confirmation', 'hold_reason', 'second_reason', 'window_days', 'decided_at', 'confirmed_by', 'confirmation', 'confirmation_text', 'confirmed_at']);
  for await (const s of pages((after) => h.selectFrom('sanctions').selectAll().where('created_at', '>=', fromMs).where('created_at', '<', toMs).where('id', '>', after).$if(workerId !== null, (qb) => qb.where('worker_id', '=', workerId as number)).orderBy('id').limit(PAGE).execute())) {
    const c = await h.selectFrom('sanction_confirmations').selectAll().where('sanction_id', '=', s.id).executeTakeFirst();
    await sanctions.row([s.id, s.worker_id, s.level, s.project_id, s.reason_code, s.statement, s.evidence, s.decider_id, s.needs_confirmation, s.hold_reason, s.second_reason, s.window_days, iso(s.created_at), c?.confirmer_id, c?.outcome, c?.text, c ? iso(c.created_at) : null]);
  }
  files.push(await sanctions.close());

  const cards = new CsvFile('rate_cards.csv', opts.outDir, ['id', 'project_id', 'version', 'kind', 'currency', 'piece_rate_minor', 'hourly_minor', 'paid_categories', 'effective_from', 'reason', 'created_by', 'recorded_at']);
  const projectIds = [...projects].sort((a, b) => a - b);
  for (let i = 0; i < projectIds.length; i += PAGE) {
    const rows = await h.selectFrom('rate_cards').selectAll().where('project_id', 'in', projectIds.slice(i, i + PAGE)).orderBy('id').execute();
    for (const c of rows) await cards.row([c.id, c.project_id, c.version, c.kind, c.currency, c.piece_rate_minor, c.hourly_minor, c.paid_categories, iso(c.effective_from), c.reason, c.created_by, iso(c.created_at)]);
  }
  files.push(await cards.close());

  const people = new CsvFile('workers.csv', opts.outDir, ['worker_id', 'email', 'display_name', 'profile_version', 'jurisdiction', 'engagement', 'currency', 'timezone', 'week_start_day', 'profile_recorded_at']);
  const workerIds = [...workers].sort((a, b) => a - b);
  for (let i = 0; i < workerIds.length; i += PAGE) {
    const chunk = workerIds.slice(i, i + PAGE);
    const users = new Map((await h.selectFrom('users').select(['id', 'email', 'display_name']).where('id', 'in', chunk).execute()).map((u) => [u.id, u]));
    // Every profile version: a recomputed week reads the one in force when it closed.
    const profiles = await h.selectFrom('worker_pay_profiles').selectAll().where('worker_id', 'in', chunk).orderBy('worker_id').orderBy('id').execute();
    for (const p of profiles) {
      const u = users.get(p.worker_id);
      await people.row([p.worker_id, u?.email, u?.display_name, p.id, p.jurisdiction, p.engagement, p.currency, p.timezone, p.week_start_day, iso(p.created_at)]);
    }
  }
  files.push(await people.close());

  const floors = new CsvFile('floors.csv', opts.outDir, ['table', 'id', 'jurisdiction', 'effective_from', 'hourly_minor', 'currency', 'base', 'quote', 'num', 'den', 'source', 'recorded_at']);
  for (const m of await h.selectFrom('jurisdiction_minimums').selectAll().orderBy('id').execute()) await floors.row(['jurisdiction_minimum', m.id, m.jurisdiction, m.effective_from, m.hourly_minor, m.currency, null, null, null, null, m.source, iso(m.created_at)]);
  for (const p of await h.selectFrom('platform_floors').selectAll().orderBy('id').execute()) await floors.row(['platform_floor', p.id, null, p.effective_from, p.hourly_minor, p.currency, null, null, null, null, p.note, iso(p.created_at)]);
  for (const r of await h.selectFrom('fx_rates').selectAll().orderBy('id').execute()) await floors.row(['fx_rate', r.id, null, r.effective_from, null, null, r.base, r.quote, r.num, r.den, r.source, iso(r.created_at)]);
  files.push(await floors.close());

  const manifest: RecordsManifest = {
    format: 'tessera-records/1',
    generated_at: new Date(opts.now).toISOString(),
    range: { from: opts.from, to: opts.to, first_week: firstWeek, last_week: lastWeek },
    worker: opts.workerEmail ?? null,
    files,
    chain: { head: await chainHead(database), exported: { first_seq: firstSeq, last_seq: lastSeq, count: files[0].rows } },
  };
  await writeFile(join(opts.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
