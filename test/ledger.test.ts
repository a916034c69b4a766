import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDueWeeks, verifyChain } from '../src/modules/ledger/index.ts';
import { ledgerDb } from '../src/modules/ledger/ledger.tables.ts';

import { type Actor, buildProject, dialects, makeActor, makeWorkers, startTestApp, type TestApp } from './helpers/harness.ts';

const HOUR = 3_600_000;

describe.each(dialects)('fair-work ledger on %s', (dialect) => {
  let t: TestApp;
  let requester: Actor;
  beforeAll(async () => {
    t = await startTestApp(dialect);
    requester = await makeActor(t, 'requester');
  });
  afterAll(() => t.close());

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, actor: Actor, payload?: unknown) =>
    t.app.inject({ method, url, headers: actor.auth, ...(payload !== undefined && { payload: payload as object }) });
  const l = () => ledgerDb(t.database.db);

  async function project(overrides: Record<string, unknown> = {}, tasks = 1) {
    const body = buildProject({ pay: { currency: 'USD', piece_rate_minor: 50, promised_hourly_minor: 0, estimated_seconds: 60 }, ...overrides });
    const res = await call('POST', '/v1/projects', requester, body);
    expect(res.statusCode, res.body).toBe(200);
    const ids: string[] = [];
    for (let i = 0; i < tasks; i++) {
      const r = await call('POST', '/v1/task/categorization', requester, { project: body.name, attachments: [{ type: 'text', content: `x${i}` }] });
      expect(r.statusCode, r.body).toBe(200);
      ids.push(r.json().task_id);
    }
    const row = await t.database.db.selectFrom('projects').select('id').where('name', '=', body.name).executeTakeFirstOrThrow();
    return { name: body.name as string, id: row.id, ids };
  }

  /** Claims, works `activeMs` with heartbeats every 15 s, then submits (or leaves it to expire). */
  async function work(name: string, worker: Actor, activeMs: number, end: 'submit' | 'expire' | 'skip' = 'submit') {
    const claim = await call('POST', `/v1/work/projects/${name}/claim`, worker);
    expect(claim.statusCode, claim.body).toBe(200);
    const a = claim.json().assignment;
    for (let done = 0; done < activeMs; done += 15_000) {
      t.clock.advance(Math.min(15_000, activeMs - done));
      expect((await call('POST', `/v1/work/assignments/${a.id}/heartbeat`, worker, { visible: true, input_active: true })).statusCode).toBe(200);
    }
    if (end === 'submit') expect((await call('POST', `/v1/work/assignments/${a.id}/submit`, worker, { response: { category: 'cat' } })).statusCode).toBe(200);
    if (end === 'skip') expect((await call('POST', `/v1/work/assignments/${a.id}/skip`, worker, {})).statusCode).toBe(200);
    return a.id as string;
  }
  const entriesOf = (workerId: number) => l().selectFrom('ledger_entries').selectAll().where('worker_id', '=', workerId).orderBy('id').execute();

  it('refuses UPDATE and DELETE on ledger tables (append-only, enforced by the database)', async () => {
    const [w] = await makeWorkers(t, 1);
    const p = await project();
    await work(p.name, w, 30_000);
    const [entry] = await entriesOf(w.user.id);
    expect(entry.kind).toBe('piece');
    await expect(sql`UPDATE ledger_entries SET amount_minor = 1 WHERE id = ${entry.id}`.execute(t.database.db)).rejects.toThrow(/append_only/);
    await expect(sql`DELETE FROM ledger_entries WHERE id = ${entry.id}`.execute(t.database.db)).rejects.toThrow(/append_only/);
    await expect(sql`DELETE FROM time_segments WHERE worker_id = ${w.user.id}`.execute(t.database.db)).rejects.toThrow(/append_only/);
    await expect(sql`UPDATE rate_cards SET piece_rate_minor = 1 WHERE project_id = ${p.id}`.execute(t.database.db)).rejects.toThrow(/append_only/);
    expect((await entriesOf(w.user.id))[0].amount_minor).toBe(50);
  });

  it('pays the piece rate on approval and records time that adds up to the assignment', async () => {
    const [w] = await makeWorkers(t, 1);
    const p = await project();
    const id = await work(p.name, w, 45_000);
    const a = await t.database.db.selectFrom('assignments').selectAll().where('id', '=', Number(id)).executeTakeFirstOrThrow();
    const segments = await l().selectFrom('time_segments').selectAll().where('assignment_id', '=', a.id).execute();
    expect(segments.reduce((s, x) => s + x.ms, 0)).toBe((a.ended_at as number) - a.claimed_at);
    expect(segments.filter((s) => s.paid === 1).reduce((s, x) => s + x.ms, 0)).toBe(a.active_ms + a.short_idle_ms);
    const entries = await entriesOf(w.user.id);
    expect(entries.map((e) => [e.kind, e.amount_minor, e.currency])).toEqual([['piece', 50, 'USD']]);
    const card = await l().selectFrom('rate_cards').selectAll().where('id', '=', entries[0].rate_card_id as number).executeTakeFirstOrThrow();
    expect([card.version, card.piece_rate_minor]).toEqual([1, 50]);
  });

  it('books the piece pay of every answer once when its task completes without review, in a project that reviews', async () => {
    const workers = await makeWorkers(t, 2);
    // Sampled review at rate 0: no task is drawn, so answers wait for the task to complete, not for a reviewer.
    const p = await project({ overlap: { min: 2 }, review_policy: { mode: 'sample', sample_rate: 0 } });
    const pieces = async (w: Actor) => (await entriesOf(w.user.id)).filter((e) => e.kind === 'piece').map((e) => [e.amount_minor, e.created_by_rule]);
    await work(p.name, workers[0], 30_000);
    expect(await pieces(workers[0])).toEqual([]);
    await work(p.name, workers[1], 30_000);
    for (const w of workers) expect(await pieces(w)).toEqual([[50, 'task_completed']]);
  });

  it('pays an expired task its counted time at the floor and leaves the score alone', async () => {
    const [w] = await makeWorkers(t, 1);
    const p = await project({ lease_seconds: 60 });
    const id = await work(p.name, w, 30_000, 'expire');
    t.clock.advance(61_000);
    const [w2] = await makeWorkers(t, 1);
    await call('POST', `/v1/work/projects/${p.name}/claim`, w2);
    const a = await t.database.db.selectFrom('assignments').selectAll().where('id', '=', Number(id)).executeTakeFirstOrThrow();
    expect(a.status).toBe('expired');
    const counted = a.active_ms + a.short_idle_ms;
    const entries = await entriesOf(w.user.id);
    // Platform floor by default: US$7.25 an hour, rounded up to the cent.
    expect(entries.map((e) => [e.kind, e.amount_minor])).toEqual([['paid_time', Math.ceil((725 * counted) / HOUR)]]);
    expect(await t.database.db.selectFrom('worker_quality').selectAll().where('worker_id', '=', w.user.id).execute()).toEqual([]);
  });

  it('closes the week: tops up to the floor, charges the shortfall, pays out, and chains a hash that recomputes', async () => {
    const [w] = await makeWorkers(t, 1);
    const p = await project({ pay: { currency: 'USD', piece_rate_minor: 5, promised_hourly_minor: 0, estimated_seconds: 60 } }, 3);
    for (let i = 0; i < 3; i++) await work(p.name, w, 120_000);
    const before = await entriesOf(w.user.id);
    expect(before.map((e) => e.amount_minor)).toEqual([5, 5, 5]);
    // The clock starts on Monday 2026-01-05 09:00 UTC; the worker's (UTC) week ends Monday 12th 00:00.
    t.clock.set(Date.UTC(2026, 0, 12, 7, 0, 0));
    const result = await closeDueWeeks(t.database, t.clock());
    expect(result.deferred).toEqual([]);
    const close = await l().selectFrom('week_closes').selectAll().where('worker_id', '=', w.user.id).executeTakeFirstOrThrow();
    expect(close.week_key).toBe('2026-01-05');
    const paidMs = close.paid_ms;
    expect(paidMs).toBeGreaterThanOrEqual(3 * 120_000);
    const required = Math.ceil((725 * paidMs) / HOUR);
    expect([close.net_minor, close.required_minor, close.topup_minor]).toEqual([15, required, required - 15]);
    const after = await entriesOf(w.user.id);
    const topups = after.filter((e) => e.kind === 'floor_topup');
    expect(topups.map((e) => [e.project_id, e.amount_minor])).toEqual([[p.id, required - 15]]);
    const payout = after.filter((e) => e.kind === 'payout');
    expect(payout.map((e) => e.amount_minor)).toEqual([-required]);
    expect(after.reduce((s, e) => s + e.amount_minor, 0)).toBe(0);
    const check = await verifyChain(t.database, { workerId: w.user.id });
    expect(check.mismatches).toEqual([]);
    expect(check.checked).toBe(1);
    // Closing again closes nothing twice.
    expect((await closeDueWeeks(t.database, t.clock())).closed).toBe(0);
    const weeks = (await call('GET', '/v1/work/ledger/weeks?from=2026-01-01&to=2026-01-31', w)).json().docs;
    expect(weeks).toHaveLength(1);
    expect(weeks[0]).toMatchObject({ week: '2026-01-05', net_minor: 15, topup_minor: required - 15, hash: close.hash });
  });
});
