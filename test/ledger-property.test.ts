import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireDue } from '../src/modules/assignment/index.ts';
import { approveDueReviews, closeDueWeeks, verifyChain } from '../src/modules/ledger/index.ts';
import { ledgerDb } from '../src/modules/ledger/ledger.tables.ts';
import { payForTime } from '../src/modules/ledger/money.ts';

import { type Actor, buildProject, dialects, makeActor, makeWorkers, startTestApp, type TestApp } from './helpers/harness.ts';

/*
 * Property tests over generated event streams through the real services and HTTP API, on each
 * database: heartbeats, claims, expiries, skips, submits, rejections, appeals and rate changes over
 * several workweeks, then every week closed. Fewer runs than the pure pipeline test (each run is a
 * few hundred requests); the pure one (src/modules/ledger/pipeline.test.ts) runs hundreds.
 */

const DAY = 86_400_000;
const REASON = 'The label contradicts the guideline example.';

type Step =
  | { kind: 'work'; project: number; signals: { gap: number; input: boolean }[]; end: 'submit' | 'expire' | 'skip' }
  | { kind: 'reject' }
  | { kind: 'appeal' }
  | { kind: 'rate'; project: number; piece: number }
  | { kind: 'advance'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('work' as const),
      project: fc.integer({ min: 0, max: 1 }),
      signals: fc.array(fc.record({ gap: fc.integer({ min: 5_000, max: 400_000 }), input: fc.boolean() }), { maxLength: 5 }),
      end: fc.constantFrom<'submit' | 'expire' | 'skip'>('submit', 'submit', 'submit', 'expire', 'skip'),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'reject' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'appeal' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rate' as const), project: fc.integer({ min: 0, max: 1 }), piece: fc.integer({ min: 1, max: 400 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 60_000, max: 4 * DAY }) }) },
);
const stream = fc.record({
  timezone: fc.constantFrom('UTC', 'America/Chicago', 'Asia/Kolkata'),
  review: fc.constantFrom('none', 'all'),
  pieces: fc.tuple(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 })),
  steps: fc.array(step, { minLength: 3, maxLength: 18 }),
});

describe.each(dialects)('generated event streams through the ledger on %s', (dialect) => {
  let t: TestApp;
  let requester: Actor;
  let admin: Actor;
  let reviewer: Actor;
  beforeAll(async () => {
    t = await startTestApp(dialect);
    [requester, admin, reviewer] = await Promise.all([makeActor(t, 'requester'), makeActor(t, 'admin'), makeActor(t, 'reviewer')]);
  });
  afterAll(() => t.close());

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, actor: Actor, payload?: unknown) =>
    t.app.inject({ method, url, headers: actor.auth, ...(payload !== undefined && { payload: payload as object }) });
  const l = () => ledgerDb(t.database.db);

  async function runStream(s: { timezone: string; review: string; pieces: [number, number]; steps: Step[] }) {
    const [w] = await makeWorkers(t, 1);
    expect((await call('PUT', `/v1/ledger/workers/${w.user.id}/profile`, admin, { timezone: s.timezone })).statusCode).toBe(200);
    const projects: string[] = [];
    for (const piece of s.pieces) {
      const body = buildProject({ review_policy: { mode: s.review }, lease_seconds: 600, pay: { currency: 'USD', piece_rate_minor: piece, promised_hourly_minor: 0, estimated_seconds: 60 } });
      expect((await call('POST', '/v1/projects', requester, body)).statusCode).toBe(200);
      const tasks = Array.from({ length: 20 }, (_, i) => ({ unique_id: `${body.name}-${i}`, attachments: [{ type: 'text', content: `item ${i}` }] }));
      expect((await call('POST', `/v1/projects/${body.name}/import?format=json`, requester, tasks)).statusCode).toBe(200);
      projects.push(body.name);
    }
    const submitted: { id: string; task: string; project: number }[] = [];
    const rejected: string[] = [];
    for (const st of s.steps) {
      if (st.kind === 'advance') t.clock.advance(st.ms);
      if (st.kind === 'rate') await call('POST', `/v1/projects/${projects[st.project]}/rate_cards`, requester, { kind: 'piece', currency: 'USD', piece_rate_minor: st.piece, hourly_minor: 0 });
      if (st.kind === 'work') {
        const claim = await call('POST', `/v1/work/projects/${projects[st.project]}/claim`, w);
        if (claim.statusCode !== 200) continue;
        const a = claim.json().assignment;
        for (const sg of st.signals) {
          t.clock.advance(sg.gap);
          const hb = await call('POST', `/v1/work/assignments/${a.id}/heartbeat`, w, { visible: true, input_active: sg.input });
          if (hb.statusCode !== 200) break;
        }
        if (st.end === 'expire') {
          t.clock.advance(601_000);
          await expireDue(t.database, t.clock());
        } else {
          t.clock.advance(3_000);
          const res = await call('POST', `/v1/work/assignments/${a.id}/${st.end}`, w, st.end === 'submit' ? { response: { category: 'cat' } } : {});
          if (st.end === 'submit' && res.statusCode === 200) submitted.push({ id: a.id, task: a.task.id, project: st.project });
        }
      }
      if (st.kind === 'reject') {
        const target = submitted.pop();
        if (!target) continue;
        const res =
          s.review === 'all'
            ? await call('POST', `/v1/review/tasks/${target.task}`, reviewer, { action: 'reject', assignment_id: target.id, reason_code: 'wrong_answer', text: REASON, evidence: { gold_items: ['g1'] } })
            : await call('POST', `/v1/task/${target.task}/audit`, requester, { accepted: false, reason_code: 'wrong_answer', comments: REASON, evidence: { gold_items: ['g1'] } });
        if (res.statusCode === 200) rejected.push(target.id);
      }
      if (st.kind === 'appeal') {
        const decisions = (await call('GET', '/v1/work/decisions', w)).json().docs.filter((d: { kind: string; appeal: { allowed: boolean } }) => d.kind.endsWith('_reject') && d.appeal.allowed);
        if (decisions.length === 0) continue;
        const filed = await call('POST', '/v1/work/appeals', w, { subject_kind: 'decision', subject_id: decisions[0].id, text: 'Please look at this answer again.' });
        expect(filed.statusCode, filed.body).toBe(200);
        expect((await call('POST', `/v1/appeals/${filed.json().appeal.id}/resolve`, admin, { outcome: 'overturned', text: 'The answer follows the guideline after all.' })).statusCode).toBe(200);
      }
    }
    // Close everything: the Monday after (in any of the zones) plus the grace.
    // Unreviewed answers are approved at their deadline (rule 6), then every week is closed.
    t.clock.advance(9 * DAY);
    await approveDueReviews(t.database, t.clock());
    t.clock.advance(9 * DAY);
    const closed = await closeDueWeeks(t.database, t.clock());
    expect(closed.deferred).toEqual([]);
    return w;
  }

  it('keeps every closed week at the floor, conserves time, balances ledger and statement, and recomputes every hash', async () => {
    await fc.assert(
      fc.asyncProperty(stream, async (s) => {
        const w = await runStream(s);
        const closes = await l().selectFrom('week_closes').selectAll().where('worker_id', '=', w.user.id).orderBy('week_key').execute();
        for (const c of closes) {
          // Rule 1: net + top-up >= floor x paid hours (the floor here is at least the US$7.25 platform floor).
          expect(c.net_minor + c.topup_minor).toBeGreaterThanOrEqual(c.required_minor);
          expect(c.required_minor).toBeGreaterThanOrEqual(payForTime(725, c.paid_ms));
        }
        // Time conservation per assignment.
        const assignments = await t.database.db.selectFrom('assignments').selectAll().where('worker_id', '=', w.user.id).where('status', '!=', 'active').execute();
        for (const a of assignments) {
          const span = (a.ended_at as number) - a.claimed_at;
          expect(a.active_ms + a.short_idle_ms + a.long_idle_ms).toBe(span);
          const segs = await l().selectFrom('time_segments').select('ms').where('assignment_id', '=', a.id).execute();
          expect(segs.reduce((x, y) => x + y.ms, 0)).toBe(span);
        }
        // Ledger sum = statement total = payouts + carried balance.
        const entries = await l().selectFrom('ledger_entries').selectAll().where('worker_id', '=', w.user.id).execute();
        const sum = entries.reduce((x, e) => x + e.amount_minor, 0);
        const earned = entries.filter((e) => e.kind !== 'payout').reduce((x, e) => x + e.amount_minor, 0);
        const paidOut = -entries.filter((e) => e.kind === 'payout').reduce((x, e) => x + e.amount_minor, 0);
        const lastCarried = closes.length ? JSON.parse(closes[closes.length - 1].payload).carried.reduce((x: number, c: { amount_minor: number }) => x + c.amount_minor, 0) : 0;
        expect(sum).toBe(lastCarried);
        expect(earned).toBe(paidOut + lastCarried);
        if (closes.length) {
          const statement = (await call('GET', `/v1/ledger/workers/${w.user.id}/statement?from=${closes[0].week_key}&to=${closes[closes.length - 1].week_key}`, admin)).json();
          const money = (list: { amount_minor: number }[]) => list.reduce((x, m) => x + m.amount_minor, 0);
          expect(money(statement.totals.earned)).toBe(earned);
          expect(money(statement.totals.paid_out)).toBe(paidOut);
          expect(money(statement.totals.earned)).toBe(money(statement.totals.paid_out) + money(statement.totals.balance_after));
          expect(statement.weeks.reduce((x: number, wk: { total: { amount_minor: number }[] }) => x + money(wk.total), 0)).toBe(earned);
        }
        // Recomputing every closed week from the raw events gives the same payload and hash.
        const check = await verifyChain(t.database, { workerId: w.user.id });
        expect(check.mismatches).toEqual([]);
        expect(check.checked).toBe(closes.length);
      }),
      { numRuns: dialect === 'sqlite' ? 12 : 5, endOnFailure: true },
    );
  });
});
