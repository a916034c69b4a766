import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerRecordsCommand, runRecordsExport } from '../src/cli/commands/records.ts';
import { migrateToLatest, openDatabase } from '../src/db/index.ts';
import { closeDueWeeks } from '../src/modules/ledger/index.ts';
import { type Actor, buildProject, dialects, makeActor, makeWorkers, startTestApp, type TestApp } from './helpers/harness.ts';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const csv = (path: string) => parse(readFileSync(path, 'utf8'), { columns: true }) as Record<string, string>[];

describe.each(dialects)('records export on %s', (dialect) => {
  let t: TestApp;
  let requester: Actor;
  let admin: Actor;
  let workers: Actor[];
  beforeAll(async () => {
    t = await startTestApp(dialect);
    [requester, admin] = await Promise.all([makeActor(t, 'requester'), makeActor(t, 'admin')]);
    workers = await makeWorkers(t, 2);
    const body = buildProject({ pay: { currency: 'USD', piece_rate_minor: 1, promised_hourly_minor: 0, estimated_seconds: 60 } });
    await call('POST', '/v1/projects', requester, body);
    for (let i = 0; i < 4; i++) await call('POST', '/v1/task/categorization', requester, { project: body.name, attachments: [{ type: 'text', content: `r${i}` }] });
    for (const w of workers) {
      for (let i = 0; i < 2; i++) {
        const a = (await call('POST', `/v1/work/projects/${body.name}/claim`, w)).json().assignment;
        t.clock.advance(40_000);
        await call('POST', `/v1/work/assignments/${a.id}/heartbeat`, w, { visible: true, input_active: true });
        await call('POST', `/v1/work/assignments/${a.id}/submit`, w, { response: { category: 'dog' } });
      }
    }
    t.clock.set(Date.UTC(2026, 0, 12, 8));
    await closeDueWeeks(t.database, t.clock());
  });
  afterAll(() => t.close());

  function call(method: 'GET' | 'POST', url: string, actor: Actor, payload?: unknown) {
    return t.app.inject({ method, url, headers: actor.auth, ...(payload !== undefined && { payload: payload as object }) });
  }

  it('writes every record as CSV with a manifest of SHA-256 sums and the chain head; the chain re-hashes from the files', async () => {
    const out = mkdtempSync(join(tmpdir(), 'records-'));
    const manifest = await runRecordsExport(t.database, { from: '2026-01-05', to: '2026-01-11', out }, t.clock());
    expect(manifest.files.map((f) => f.name)).toEqual(['workweeks.csv', 'workweek_payloads.txt', 'time_segments.csv', 'ledger.csv', 'units.csv', 'decisions.csv', 'appeals.csv', 'sanctions.csv', 'rate_cards.csv', 'workers.csv', 'floors.csv']);
    for (const f of manifest.files) {
      expect(sha256(join(out, f.name))).toBe(f.sha256);
      expect(readFileSync(join(out, f.name)).length).toBe(f.bytes);
      if (f.name.endsWith('.csv')) expect(csv(join(out, f.name))).toHaveLength(f.rows);
    }
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'))).toEqual(manifest);
    const head = (await call('GET', '/v1/ledger/chain', admin)).json().head;
    expect(manifest.chain.head).toEqual(head);
    const weeks = csv(join(out, 'workweeks.csv'));
    const mine = weeks.filter((w) => workers.some((x) => String(x.user.id) === w.worker_id));
    expect(mine).toHaveLength(2);
    const payloads = readFileSync(join(out, 'workweek_payloads.txt'), 'utf8').trimEnd().split('\n');
    expect(payloads).toHaveLength(weeks.length);
    weeks.forEach((w, i) => {
      const [seq, hash, ...rest] = payloads[i].split(' ');
      expect([seq, hash]).toEqual([w.seq, w.hash]);
      // The chain re-hashes from the files alone.
      expect(createHash('sha256').update(`${w.prev_hash}\n${rest.join(' ')}`).digest('hex')).toBe(w.hash);
      if (i > 0 && Number(w.seq) === Number(weeks[i - 1].seq) + 1) expect(w.prev_hash).toBe(weeks[i - 1].hash);
    });
    const ledger = csv(join(out, 'ledger.csv')).filter((e) => e.worker_id === String(workers[0].user.id));
    expect(ledger.map((e) => e.kind).sort()).toEqual(['floor_topup', 'payout', 'piece', 'piece']);
    expect(ledger.reduce((a, e) => a + Number(e.amount_minor), 0)).toBe(0);
    const units = csv(join(out, 'units.csv')).filter((u) => u.worker_id === String(workers[0].user.id));
    expect(units).toHaveLength(2);
    for (const u of units) expect(Number(u.active_ms) + Number(u.short_idle_ms) + Number(u.long_idle_ms)).toBe(Date.parse(u.ended_at) - Date.parse(u.claimed_at));
    expect(csv(join(out, 'floors.csv')).some((f) => f.table === 'jurisdiction_minimum' && f.jurisdiction === 'GB')).toBe(true);
  });

  it('exports one worker only, and refuses bad dates and unknown workers', async () => {
    const out = mkdtempSync(join(tmpdir(), 'records-'));
    const manifest = await runRecordsExport(t.database, { from: '2026-01-05', to: '2026-01-11', worker: workers[1].user.email, out }, t.clock());
    expect(new Set(csv(join(out, 'ledger.csv')).map((e) => e.worker_id))).toEqual(new Set([String(workers[1].user.id)]));
    expect(csv(join(out, 'workers.csv')).map((w) => w.email)).toEqual([workers[1].user.email]);
    expect(manifest.worker).toBe(workers[1].user.email);
    await expect(runRecordsExport(t.database, { from: '2026-02-01', to: '2026-01-01', out })).rejects.toMatchObject({ code: 'invalid_date' });
    await expect(runRecordsExport(t.database, { from: '2026-1-1', to: '2026-01-31', out })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(runRecordsExport(t.database, { from: '2026-01-01', to: '2026-01-31', worker: 'nobody@example.test', out })).rejects.toMatchObject({ code: 'user_not_found' });
  });
});

describe('tessera records export (the command line)', () => {
  it('runs from the CLI against the configured database and prints the files and the chain head', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'records-cli-'));
    const database = openDatabase({ sqliteFile: join(dataDir, 'tessera.db') });
    await migrateToLatest(database);
    await database.dialect.close();
    const out = join(dataDir, 'out');
    const before = { DATA_DIR: process.env.DATA_DIR, DATABASE_URL: process.env.DATABASE_URL };
    process.env.DATA_DIR = dataDir;
    delete process.env.DATABASE_URL;
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const program = new Command('tessera').exitOverride();
      registerRecordsCommand(program);
      await program.parseAsync(['records', 'export', '--from', '2026-01-01', '--to', '2026-01-31', '--out', out], { from: 'user' });
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      expect(manifest).toMatchObject({ format: 'tessera-records/1', chain: { head: { seq: 0, hash: '0'.repeat(64) } } });
      expect(log.mock.calls.map((c) => String(c[0])).join('\n')).toContain('chain head #0');
    } finally {
      log.mockRestore();
      process.env.DATA_DIR = before.DATA_DIR;
      if (before.DATABASE_URL !== undefined) process.env.DATABASE_URL = before.DATABASE_URL;
    }
  });
});
