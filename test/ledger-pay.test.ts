import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { closeDueWeeks, reviseEstimates, verifyChain } from '../src/modules/ledger/index.ts';
import { ledgerDb } from '../src/modules/ledger/ledger.tables.ts';
import { weekKeyOf } from '../src/modules/ledger/week.ts';

import { type Actor, buildProject, dialects, makeActor, makeWorkers, startTestApp, type TestApp } from './helpers/harness.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe.each(dialects)('pay, rate cards, estimates and reports on %s', (dialect) => {
  let t: TestApp;
  let requester: Actor;
  let admin: Actor;
  beforeAll(async () => {
    t = await startTestApp(dialect);
    [requester, admin] = await Promise.all([makeActor(t, 'requester'), makeActor(t, 'admin')]);
  });
  afterAll(() => t.close());

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, actor: Actor, payload?: unknown) =>
    t.app.inject({ method, url, headers: actor.auth, ...(payload !== undefined && { payload: payload as object }) });
  const l = () => ledgerDb(t.database.db);
  const entries = (workerId: number) => l().selectFrom('ledger_entries').selectAll().where('worker_id', '=', workerId).orderBy('id').execute();
  /** Moves the clock to 07:00 UTC on the Monday after now: every UTC week before it is due to close. */
  const toNextMonday = () => {
    const now = new Date(t.clock());
    const days = (8 - now.getUTCDay()) % 7 || 7;
    t.clock.set(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + days, 7));
  };

  async function project(pay: Record<string, unknown> = {}, tasks = 1, overrides: Record<string, unknown> = {}) {
    const body = buildProject({ pay: { currency: 'USD', piece_rate_minor: 100, promised_hourly_minor: 0, estimated_seconds: 60, ...pay }, ...overrides });
    expect((await call('POST', '/v1/projects', requester, body)).statusCode).toBe(200);
    for (let i = 0; i < tasks; i++) expect((await call('POST', '/v1/task/categorization', requester, { project: body.name, attachments: [{ type: 'text', content: `x${i}` }] })).statusCode).toBe(200);
    return body.name as string;
  }
  async function claim(name: string, worker: Actor) {
    const res = await call('POST', `/v1/work/projects/${name}/claim`, worker);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().assignment as { id: string; shown: { pay_minor: number } };
  }
  async function finish(id: string, worker: Actor, ms: number, step = 15_000) {
    for (let done = 0; done < ms; done += step) {
      t.clock.advance(Math.min(step, ms - done));
      await call('POST', `/v1/work/assignments/${id}/heartbeat`, worker, { visible: true, input_active: true });
    }
    const res = await call('POST', `/v1/work/assignments/${id}/submit`, worker, { response: { category: 'cat' } });
    expect(res.statusCode, res.body).toBe(200);
  }

  it('pays a failed qualification test at the floor and records a break unpaid', async () => {
    const name = await project();
    const [w] = await makeWorkers(t, 1);
    const started = await call('POST', '/v1/work/activities', w, { category: 'qualification', project: name });
    expect(started.statusCode, started.body).toBe(200);
    const id = started.json().activity.id;
    for (let i = 0; i < 40; i++) {
      t.clock.advance(15_000);
      expect((await call('POST', `/v1/work/activities/${id}/heartbeat`, w, { visible: true, input_active: true })).statusCode).toBe(200);
    }
    const ended = await call('POST', `/v1/work/activities/${id}/end`, w, { outcome: 'failed' });
    expect(ended.json().activity).toMatchObject({ status: 'ended', outcome: 'failed', time: { active_ms: 600_000 } });
    const brk = (await call('POST', '/v1/work/activities', w, { category: 'break' })).json().activity;
    t.clock.advance(10 * 60_000);
    await call('POST', `/v1/work/activities/${brk.id}/end`, w, {});
    // Ten minutes at US$7.25 an hour: 120.83 cents, rounded up.
    expect((await entries(w.user.id)).map((e) => [e.kind, e.amount_minor])).toEqual([['paid_time', 121]]);
    const segs = await l().selectFrom('time_segments').select(['category', 'paid', 'ms']).where('worker_id', '=', w.user.id).orderBy('id').execute();
    expect(segs).toEqual([
      { category: 'qualification', paid: 1, ms: 600_000 },
      { category: 'break', paid: 0, ms: 300_000 },
      { category: 'long_idle', paid: 0, ms: 300_000 },
    ]);
  });

  it('pays work under the card it was accepted under; a decrease applies only to work claimed after notice', async () => {
    const name = await project({}, 3);
    const unpaid = await call('POST', `/v1/projects/${name}/rate_cards`, requester, { kind: 'piece', currency: 'USD', piece_rate_minor: 40, hourly_minor: 0, paid_categories: ['task_active', 'short_idle'] });
    expect([unpaid.statusCode, unpaid.json().code]).toEqual([422, 'required_activity_unpaid']);
    const [a, b, c] = await makeWorkers(t, 3);
    const first = await claim(name, a);
    expect(first.shown.pay_minor).toBe(100);
    const lowered = await call('POST', `/v1/projects/${name}/rate_cards`, requester, { kind: 'piece', currency: 'USD', piece_rate_minor: 40, hourly_minor: 0 });
    expect(lowered.statusCode, lowered.body).toBe(200);
    expect(lowered.json()).toMatchObject({ rate_card: { version: 2, piece_rate_minor: 40, in_effect: false }, in_effect: { version: 1, piece_rate_minor: 100 } });
    const notice = (await call('GET', `/v1/work/projects/${name}/rate_cards`, b)).json();
    expect(notice.upcoming.map((x: { piece_rate_minor: number }) => x.piece_rate_minor)).toEqual([40]);
    await finish(first.id, a, 30_000);
    const second = await claim(name, b);
    expect(second.shown.pay_minor).toBe(40);
    await finish(second.id, b, 30_000);
    t.clock.advance(7 * DAY + 1000);
    await finish((await claim(name, c)).id, c, 30_000);
    const piece = async (w: Actor) => (await entries(w.user.id)).filter((e) => e.kind === 'piece').map((e) => e.amount_minor);
    // Accepted before the decrease took effect: the old rate, even when the lower one was shown.
    expect(await piece(a)).toEqual([100]);
    expect(await piece(b)).toEqual([100]);
    expect(await piece(c)).toEqual([40]);
    const raised = await call('POST', `/v1/projects/${name}/rate_cards`, requester, { kind: 'piece', currency: 'USD', piece_rate_minor: 60, hourly_minor: 0 });
    expect(raised.json().rate_card).toMatchObject({ version: 3, in_effect: true });
  });

  it('re-estimates from actual times after 30 submissions and stops handing out work paid below the floor until the price rises', async () => {
    const name = await project({ piece_rate_minor: 5, estimated_seconds: 20 }, 31);
    const workers = await makeWorkers(t, 31);
    for (const w of workers.slice(0, 30)) await finish((await claim(name, w)).id, w, 5 * 60_000, 100_000);
    expect(await reviseEstimates(t.database, t.clock())).toContain(name);
    const status = (await call('GET', `/v1/projects/${name}/pay_status`, requester)).json();
    expect(status.estimate).toMatchObject({ seconds: 300, median_seconds: 300, p75_seconds: 300, from_submissions: 30 });
    expect(status.work_stopped).toMatchObject({ code: 'project_below_floor', p75_seconds: 300, piece_rate_minor: 5, floor_hourly_minor: 725, piece_rate_needed_minor: 61 });
    expect((await call('GET', `/v1/projects/${name}`, requester)).json().pay.estimated_seconds).toBe(300);
    const refused = await call('POST', `/v1/work/projects/${name}/claim`, workers[30]);
    expect([refused.statusCode, refused.json().code]).toEqual([409, 'project_below_floor']);
    expect(refused.json().error.details).toMatchObject({ piece_rate_needed_minor: 61 });
    await call('POST', `/v1/projects/${name}/rate_cards`, requester, { kind: 'piece', currency: 'USD', piece_rate_minor: 61, hourly_minor: 0 });
    expect((await call('GET', `/v1/projects/${name}/pay_status`, requester)).json().work_stopped).toBeNull();
    expect((await call('POST', `/v1/work/projects/${name}/claim`, workers[30])).statusCode).toBe(200);
    // Not again before 100 more submissions.
    expect(await reviseEstimates(t.database, t.clock())).not.toContain(name);
  });

  it('stops handing out work at once when an estimate finds the pay below the floor', async () => {
    const name = await project({ piece_rate_minor: 1 }, 3);
    const [w] = await makeWorkers(t, 1);
    await claim(name, w); // this node has read the project
    const row = await t.database.db.selectFrom('projects').select('id').where('name', '=', name).executeTakeFirstOrThrow();
    // As another node's estimate job records it: the project row itself does not change.
    await l()
      .insertInto('estimate_revisions')
      .values({ project_id: row.id, submissions: 30, median_ms: 60_000, p75_ms: 90_000, previous_seconds: 60, estimated_seconds: 60, piece_rate_minor: 1, floor_hourly_minor: 725, currency: 'USD', below_floor: 1, created_at: t.clock() })
      .execute();
    expect((await call('POST', `/v1/work/projects/${name}/claim`, w)).json().code).toBe('project_below_floor');
  });

  it('hands out work again when the requester accepts top-ups', async () => {
    const name = await project({ piece_rate_minor: 1 }, 2);
    const row = await t.database.db.selectFrom('projects').select('id').where('name', '=', name).executeTakeFirstOrThrow();
    await l()
      .insertInto('estimate_revisions')
      .values({ project_id: row.id, submissions: 30, median_ms: 60_000, p75_ms: 90_000, previous_seconds: 60, estimated_seconds: 60, piece_rate_minor: 1, floor_hourly_minor: 725, currency: 'USD', below_floor: 1, created_at: t.clock() })
      .execute();
    const [w] = await makeWorkers(t, 1);
    expect((await call('POST', `/v1/work/projects/${name}/claim`, w)).json().code).toBe('project_below_floor');
    const accepted = await call('POST', `/v1/projects/${name}/accept_topups`, requester, {});
    expect(accepted.json().work_stopped).toBeNull();
    expect((await call('POST', `/v1/work/projects/${name}/claim`, w)).statusCode).toBe(200);
  });

  it('states the week to the worker: hours by day and category, earnings, top-up, payout, totals equal to the ledger', async () => {
    const name = await project({ piece_rate_minor: 10 }, 2);
    const [w] = await makeWorkers(t, 1);
    await finish((await claim(name, w)).id, w, 20 * 60_000);
    await finish((await claim(name, w)).id, w, 10 * 60_000);
    const dashboard = (await call('GET', '/v1/work/dashboard', w)).json();
    expect(dashboard.hours.paid_ms).toBe(30 * 60_000);
    expect(dashboard.earnings.net_minor).toBe(20);
    expect(dashboard.rate).toMatchObject({ currency: 'USD', effective_hourly_minor: 40, floor_hourly_minor: 725, below_floor: true });
    expect(dashboard.projected_topup_minor).toBe(Math.ceil(725 / 2) - 20);
    toNextMonday();
    await closeDueWeeks(t.database, t.clock());
    const range = `from=${new Date(t.clock() - 8 * DAY).toISOString().slice(0, 10)}&to=${new Date(t.clock()).toISOString().slice(0, 10)}`;
    const statement = (await call('GET', `/v1/work/statement?${range}`, w)).json();
    expect(statement.weeks).toHaveLength(1);
    const week = statement.weeks[0];
    expect(week).toMatchObject({ status: 'closed', hours: { paid_ms: 30 * 60_000, unpaid_ms: 0 }, earnings: [{ kind: 'piece', currency: 'USD', amount_minor: 20 }], topups: [{ currency: 'USD', amount_minor: 363 - 20 }] });
    expect(week.days.reduce((a: number, d: { paid_ms: number }) => a + d.paid_ms, 0)).toBe(30 * 60_000);
    expect(week.payouts).toEqual([{ currency: 'USD', amount_minor: 363, paid_at: new Date(t.clock()).toISOString() }]);
    expect(week.effective_hourly).toEqual({ currency: 'USD', per_active_minor: 726, per_paid_minor: 726, per_recorded_minor: 726 });
    const ledger = await entries(w.user.id);
    const sum = ledger.reduce((a, e) => a + e.amount_minor, 0);
    expect(statement.totals).toEqual({ earned: [{ currency: 'USD', amount_minor: 363 }], paid_out: [{ currency: 'USD', amount_minor: 363 }], ledger_sum: [{ currency: 'USD', amount_minor: sum }], balance_after: [] });
    const csv = (await call('GET', `/v1/work/statement?${range}&format=csv`, w)).body;
    expect(csv.split('\n')[0]).toBe('section,week,date,item,currency,amount_minor,ms');
    expect(csv).toContain(`topup,${week.week},,floor_topup,USD,343,`);
    const compliance = (await call('GET', `/v1/projects/${name}/compliance?${range}`, requester)).json();
    expect(compliance).toMatchObject({ worker_weeks: 1, below_floor_before_topup: { count: 1, share: 1 }, topup_cost: [{ currency: 'USD', amount_minor: 343 }], hourly_before_topup: { p50_minor: 40 } });
    expect(compliance.topped_up_weeks).toEqual([{ worker_id: String(w.user.id), week: week.week, currency: 'USD', paid_ms: 30 * 60_000, net_minor: 20, required_minor: 363, topup_minor: 343, hourly_before_topup_minor: 40 }]);
    const ccsv = (await call('GET', `/v1/projects/${name}/compliance?${range}&format=csv`, requester)).body;
    expect(ccsv.split('\n')[1]).toBe(`${name},${w.user.id},${week.week},USD,1800000,20,363,343,40,1`);
  });

  /**
   * Runs `submit` while a second PostgreSQL connection holds `workerId`'s ledger account, as a week close
   * does. Once the submit waits for a lock (or is done), `meanwhile` runs on that connection, which then commits.
   */
  async function submitWhileHeld(workerId: number, submit: () => Promise<void>, meanwhile: (close: pg.Client, settled: () => boolean) => Promise<void>) {
    const close = new pg.Client({ connectionString: inject('pgUrl') ?? undefined });
    await close.connect();
    try {
      await close.query('BEGIN');
      await close.query('SELECT * FROM ledger_accounts WHERE worker_id = $1 FOR UPDATE', [workerId]);
      let settled = false;
      const submitted = submit().finally(() => (settled = true));
      const waiting = async () => Number((await close.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0].n) > 0;
      for (let i = 0; i < 250 && !settled && !(await waiting()); i++) await new Promise((r) => setTimeout(r, 20));
      await meanwhile(close, () => settled);
      await close.query('COMMIT');
      await submitted;
    } finally {
      await close.end();
    }
  }
  const nextOpenWeek = async (workerId: number) => (await l().selectFrom('ledger_accounts').select('next_open_week').where('worker_id', '=', workerId).executeTakeFirstOrThrow()).next_open_week;
  const pieces = (workerId: number) => l().selectFrom('ledger_entries').select(['week_key', 'amount_minor']).where('worker_id', '=', workerId).where('kind', '=', 'piece').execute();
  // Two answers complete the task, and its completion pays both (sampled review at rate 0: no review).
  const completesAtTwo = { overlap: { min: 2, max: 2 }, review_policy: { mode: 'sample', sample_rate: 0 } };

  it("books an answer's piece once at its submit and notes its week open, with no time to record", async () => {
    const name = await project();
    const [w] = await makeWorkers(t, 1);
    const a = await claim(name, w);
    await finish(a.id, w, 0); // answered at once: no time segment notes the week
    expect((await call('POST', `/v1/work/assignments/${a.id}/submit`, w, { response: { category: 'cat' } })).statusCode).toBe(200); // a retry books nothing more
    const thisWeek = weekKeyOf(t.clock(), 'UTC', 1);
    expect(await pieces(w.user.id)).toEqual([{ week_key: thisWeek, amount_minor: 100 }]);
    expect(await l().selectFrom('time_segments').select('id').where('worker_id', '=', w.user.id).execute()).toEqual([]);
    expect(await nextOpenWeek(w.user.id)).toBe(thisWeek);
  });

  // Only PostgreSQL lets a close and a submit run at once: SQLite runs one writer at a time.
  it.runIf(dialect === 'postgres')('keeps the new week open when a submit records its first time while a close of the last week holds the account', async () => {
    const name = await project({}, 2);
    const [w] = await makeWorkers(t, 1);
    await finish((await claim(name, w)).id, w, 60_000);
    toNextMonday();
    const second = await claim(name, w);
    // A second connection does to the account what the close of last week does: holds it, then finds no later week.
    await submitWhileHeld(w.user.id, () => finish(second.id, w, 60_000), async (close) => {
      await close.query('UPDATE ledger_accounts SET next_open_week = NULL WHERE worker_id = $1', [w.user.id]);
    });
    expect(await nextOpenWeek(w.user.id)).toBe(weekKeyOf(t.clock(), 'UTC', 1));
  });

  it.runIf(dialect === 'postgres')("keeps another answerer's new week open when a completion pays them while a close of their last week holds their account", async () => {
    const name = await project({}, 1, completesAtTwo);
    const [first, last] = await makeWorkers(t, 2);
    await finish((await claim(name, first)).id, first, 60_000);
    toNextMonday();
    const completing = await claim(name, last);
    await submitWhileHeld(first.user.id, () => finish(completing.id, last, 60_000), async (close) => {
      await close.query('UPDATE ledger_accounts SET next_open_week = NULL WHERE worker_id = $1', [first.user.id]);
    });
    const thisWeek = weekKeyOf(t.clock(), 'UTC', 1);
    expect(await pieces(first.user.id)).toEqual([{ week_key: thisWeek, amount_minor: 100 }]);
    expect(await nextOpenWeek(first.user.id)).toBe(thisWeek);
  });

  it.runIf(dialect === 'postgres')('runs a completing submit again when PostgreSQL breaks a deadlock over ledger accounts, and books everything once', async () => {
    const name = await project({}, 1, completesAtTwo);
    const elsewhere = await project({}, 1);
    const [first, last] = await makeWorkers(t, 2);
    await finish((await claim(name, first)).id, first, 60_000);
    await finish((await claim(elsewhere, last)).id, last, 60_000); // so a close may run on the submitter's account too
    toNextMonday();
    const completing = await claim(name, last);
    // As a close of both accounts would, but in the other order from the submit, which holds its own worker's first.
    await submitWhileHeld(first.user.id, () => finish(completing.id, last, 60_000), async (close, settled) => {
      expect(settled()).toBe(false);
      // Closes the cycle well before the submit's wait reaches deadlock_timeout (1 s), so the submit is the one aborted.
      await close.query('SELECT * FROM ledger_accounts WHERE worker_id = $1 FOR UPDATE', [last.user.id]);
    });
    const answers = await t.database.db.selectFrom('assignments').select('worker_id').where('id', '=', Number(completing.id)).where('status', '=', 'submitted').execute();
    expect(answers).toHaveLength(1);
    const thisWeek = weekKeyOf(t.clock(), 'UTC', 1);
    expect(await pieces(first.user.id)).toEqual([{ week_key: thisWeek, amount_minor: 100 }]);
    expect((await pieces(last.user.id)).filter((p) => p.week_key === thisWeek)).toEqual([{ week_key: thisWeek, amount_minor: 100 }]);
    const task = await t.database.db.selectFrom('tasks').select(['status', 'answers_count']).where('project_id', '=', (await t.database.db.selectFrom('projects').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id).executeTakeFirstOrThrow();
    expect(task).toEqual({ status: 'completed', answers_count: 2 });
  });

  it('adds the difference in the next week when a minimum recorded later covers a closed week, and rewrites nothing', async () => {
    const name = await project({ piece_rate_minor: 1 }, 2);
    const [w] = await makeWorkers(t, 1);
    expect((await call('PUT', `/v1/ledger/workers/${w.user.id}/profile`, admin, { jurisdiction: 'US-ZZ' })).statusCode).toBe(200);
    await finish((await claim(name, w)).id, w, HOUR, 120_000);
    toNextMonday();
    await closeDueWeeks(t.database, t.clock());
    const first = await l().selectFrom('week_closes').selectAll().where('worker_id', '=', w.user.id).executeTakeFirstOrThrow();
    expect(first.required_minor).toBe(725);
    const weekDay = first.week_key;
    const added = await call('POST', '/v1/ledger/minimums', admin, { jurisdiction: 'US-ZZ', effective_from: weekDay, hourly_minor: 2000, currency: 'USD', source: 'Test ordinance No. 1 (fictional)' });
    expect(added.statusCode, added.body).toBe(200);
    await finish((await claim(name, w)).id, w, 60_000);
    toNextMonday();
    await closeDueWeeks(t.database, t.clock());
    const closes = await l().selectFrom('week_closes').selectAll().where('worker_id', '=', w.user.id).orderBy('seq').execute();
    expect(closes).toHaveLength(2);
    expect(closes[0].payload).toBe(first.payload);
    expect(closes[1].adjustment_minor).toBe(2000 - 725);
    expect(JSON.parse(closes[1].payload).adjustments).toEqual([{ week: weekDay, required_minor: 2000, paid_minor: 725, amount_minor: 1275 }]);
    const check = (await call('GET', `/v1/ledger/chain?verify=true&worker_id=${w.user.id}`, admin)).json();
    expect(check.verified).toEqual({ checked: 2, ok: true, mismatches: [] });
    expect((await verifyChain(t.database)).mismatches).toEqual([]);
  });
});
