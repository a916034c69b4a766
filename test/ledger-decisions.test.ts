import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveDueReviews, resolveOverdueAppeals } from '../src/modules/ledger/index.ts';
import { ledgerDb } from '../src/modules/ledger/ledger.tables.ts';

import { type Actor, buildProject, dialects, makeActor, makeWorkers, startTestApp, type TestApp } from './helpers/harness.ts';

const DAY = 86_400_000;
const REASON = 'The answer contradicts the guideline example 3.';
const EVIDENCE = { instruction_criterion: 'Label the animal named in the text' };

describe.each(dialects)('decisions, appeals and sanctions on %s', (dialect) => {
  let t: TestApp;
  let requester: Actor;
  let admin: Actor;
  let reviewer: Actor;
  let reviewer2: Actor;
  beforeAll(async () => {
    t = await startTestApp(dialect);
    [requester, admin, reviewer, reviewer2] = await Promise.all([makeActor(t, 'requester'), makeActor(t, 'admin'), makeActor(t, 'reviewer'), makeActor(t, 'reviewer')]);
  });
  afterAll(() => t.close());

  const call = (method: 'GET' | 'POST', url: string, actor: Actor, payload?: unknown) =>
    t.app.inject({ method, url, headers: actor.auth, ...(payload !== undefined && { payload: payload as object }) });
  const l = () => ledgerDb(t.database.db);

  async function project(overrides: Record<string, unknown> = {}, tasks = 1) {
    const body = buildProject({ pay: { currency: 'USD', piece_rate_minor: 200, promised_hourly_minor: 0, estimated_seconds: 60 }, ...overrides });
    expect((await call('POST', '/v1/projects', requester, body)).statusCode).toBe(200);
    const ids: string[] = [];
    for (let i = 0; i < tasks; i++) ids.push((await call('POST', '/v1/task/categorization', requester, { project: body.name, attachments: [{ type: 'text', content: `x${i}` }] })).json().task_id);
    return { name: body.name as string, ids };
  }
  async function answer(name: string, worker: Actor, ms = 60_000) {
    const claim = await call('POST', `/v1/work/projects/${name}/claim`, worker);
    expect(claim.statusCode, claim.body).toBe(200);
    const a = claim.json().assignment;
    for (let done = 0; done < ms; done += 60_000) {
      t.clock.advance(Math.min(60_000, ms - done));
      await call('POST', `/v1/work/assignments/${a.id}/heartbeat`, worker, { visible: true, input_active: true });
    }
    expect((await call('POST', `/v1/work/assignments/${a.id}/submit`, worker, { response: { category: 'cat' } })).statusCode).toBe(200);
    return { assignmentId: a.id as string, taskId: a.task.id as string };
  }
  const entries = (workerId: number) => l().selectFrom('ledger_entries').selectAll().where('worker_id', '=', workerId).orderBy('id').execute();
  const decisionsOf = async (worker: Actor) => (await call('GET', '/v1/work/decisions', worker)).json().docs;

  it('refuses a rejection without reason code, 20-character text or valid evidence (422) and changes nothing', async () => {
    const p = await project({ review_policy: { mode: 'all' } });
    const [w] = await makeWorkers(t, 1);
    const a = await answer(p.name, w);
    const base = { action: 'reject', assignment_id: a.assignmentId };
    for (const [body, code] of [
      [base, 'reason_required'],
      [{ ...base, reason_code: 'wrong_answer', text: 'too short' }, 'reason_required'],
      [{ ...base, reason_code: 'wrong_answer', text: REASON }, 'evidence_required'],
      [{ ...base, reason_code: 'wrong_answer', text: REASON, evidence: { note: 'I just think so' } }, 'evidence_invalid'],
      [{ ...base, reason_code: 'wrong_answer', text: REASON, evidence: { speed_z: -1.2 } }, 'evidence_invalid'],
    ] as const) {
      const res = await call('POST', `/v1/review/tasks/${a.taskId}`, reviewer, body);
      expect([res.statusCode, res.json().code]).toEqual([422, code]);
    }
    const row = await t.database.db.selectFrom('assignments').select('review_status').where('id', '=', Number(a.assignmentId)).executeTakeFirstOrThrow();
    expect(row.review_status).toBeNull();
    expect(await l().selectFrom('decisions').selectAll().where('worker_id', '=', w.user.id).execute()).toEqual([]);
    expect((await call('GET', `/v1/review/queue?project=${p.name}`, reviewer)).json().docs).toHaveLength(1);
  });

  it('shows a rejection to the worker with its reason and what to do next, and keeps its time paid', async () => {
    const p = await project({ review_policy: { mode: 'all' } });
    const [w] = await makeWorkers(t, 1);
    const a = await answer(p.name, w);
    const res = await call('POST', `/v1/review/tasks/${a.taskId}`, reviewer, { action: 'reject', assignment_id: a.assignmentId, reason_code: 'wrong_answer', text: REASON, evidence: EVIDENCE });
    expect(res.statusCode, res.body).toBe(200);
    const [d] = await decisionsOf(w);
    expect(d).toMatchObject({ type: 'decision', kind: 'review_reject', status: 'effective', reason_code: 'wrong_answer', text: REASON, evidence: EVIDENCE, decided_by: { kind: 'person' }, appeal: { allowed: true } });
    expect(d.next_steps).toEqual(['read_feedback', 'appeal_within_30_days']);
    // No piece pay for a rejected answer, but its time stays in paid hours (the floor covers it).
    expect(await entries(w.user.id)).toEqual([]);
    const segs = await l().selectFrom('time_segments').selectAll().where('assignment_id', '=', Number(a.assignmentId)).execute();
    expect(segs.filter((s) => s.paid === 1).reduce((s, x) => s + x.ms, 0)).toBeGreaterThan(0);
  });

  it('withholds only pay above the floor when paid work is rejected on audit', async () => {
    const p = await project({ pay: { currency: 'USD', piece_rate_minor: 500, promised_hourly_minor: 0, estimated_seconds: 60 } });
    const [w] = await makeWorkers(t, 1);
    const a = await answer(p.name, w, 30 * 60_000);
    expect((await entries(w.user.id)).map((e) => [e.kind, e.amount_minor])).toEqual([['piece', 500]]);
    const res = await call('POST', `/v1/task/${a.taskId}/audit`, requester, { accepted: false, reason_code: 'wrong_answer', comments: REASON, evidence: EVIDENCE });
    expect(res.statusCode, res.body).toBe(200);
    const row = await t.database.db.selectFrom('assignments').selectAll().where('id', '=', Number(a.assignmentId)).executeTakeFirstOrThrow();
    const keep = Math.ceil((725 * (row.active_ms + row.short_idle_ms)) / 3_600_000);
    expect((await entries(w.user.id)).map((e) => [e.kind, e.amount_minor])).toEqual([
      ['piece', 500],
      ['reversal', -(500 - keep)],
    ]);
  });

  it('routes an appeal to someone other than the decider, and an overturn restores the pay and the answer at once', async () => {
    const p = await project({ review_policy: { mode: 'all' } });
    const [w] = await makeWorkers(t, 1);
    const a = await answer(p.name, w);
    await call('POST', `/v1/review/tasks/${a.taskId}`, reviewer, { action: 'reject', assignment_id: a.assignmentId, reason_code: 'wrong_answer', text: REASON, evidence: EVIDENCE });
    const [d] = await decisionsOf(w);
    const filed = await call('POST', '/v1/work/appeals', w, { subject_kind: 'decision', subject_id: d.id, text: 'I followed example 3 exactly; please look again.' });
    expect(filed.statusCode, filed.body).toBe(200);
    const appeal = filed.json().appeal;
    expect(appeal).toMatchObject({ status: 'assigned', is_money: true, subject: { kind: 'decision', id: d.id } });
    const assignee = await l().selectFrom('appeal_events').select('assignee_id').where('appeal_id', '=', Number(appeal.id)).executeTakeFirstOrThrow();
    expect(assignee.assignee_id).not.toBe(reviewer.user.id);
    expect(assignee.assignee_id).not.toBe(w.user.id);
    // Never to the decider, whoever asks.
    const toDecider = await call('POST', `/v1/appeals/${appeal.id}/assign`, admin, { assignee_id: String(reviewer.user.id) });
    expect([toDecider.statusCode, toDecider.json().code]).toEqual([409, 'appeal_assignee_is_decider']);
    const byDecider = await call('POST', `/v1/appeals/${appeal.id}/resolve`, reviewer, { outcome: 'upheld', text: 'I stand by my decision on this one.' });
    expect([byDecider.statusCode, byDecider.json().code]).toEqual([409, 'appeal_assignee_is_decider']);
    expect((await call('POST', '/v1/work/appeals', w, { subject_kind: 'decision', subject_id: d.id, text: 'Again, the same appeal.' })).json().code).toBe('appeal_exists');
    const resolved = await call('POST', `/v1/appeals/${appeal.id}/resolve`, admin, { outcome: 'overturned', text: 'Example 3 supports the answer given.' });
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect((await entries(w.user.id)).map((e) => [e.kind, e.amount_minor])).toEqual([['appeal_restoration', 200]]);
    const [after] = await decisionsOf(w);
    expect(after).toMatchObject({ status: 'overturned', next_steps: ['none'] });
    // The score side: the answer counts again for the task and the worker's agreement.
    const restored = await t.database.db.selectFrom('assignments').select('review_status').where('id', '=', Number(a.assignmentId)).executeTakeFirstOrThrow();
    expect(restored.review_status).toBe('accepted');
    expect((await call('POST', `/v1/appeals/${appeal.id}/resolve`, admin, { outcome: 'upheld', text: 'Changing my mind about this now.' })).json().code).toBe('appeal_resolved');
  });

  it('resolves a money appeal for the worker when nobody answers within 14 days', async () => {
    const p = await project({ review_policy: { mode: 'all' } });
    const [w] = await makeWorkers(t, 1);
    const a = await answer(p.name, w);
    await call('POST', `/v1/review/tasks/${a.taskId}`, reviewer, { action: 'reject', assignment_id: a.assignmentId, reason_code: 'incomplete', text: REASON, evidence: EVIDENCE });
    const [d] = await decisionsOf(w);
    const appeal = (await call('POST', '/v1/work/appeals', w, { subject_kind: 'decision', subject_id: d.id, text: 'The answer is complete, see the text.' })).json().appeal;
    t.clock.advance(13 * DAY);
    await resolveOverdueAppeals(t.database, t.clock());
    expect(await entries(w.user.id)).toEqual([]);
    t.clock.advance(DAY + 1);
    await resolveOverdueAppeals(t.database, t.clock());
    expect((await entries(w.user.id)).map((e) => [e.kind, e.amount_minor, e.created_by_rule])).toEqual([['appeal_restoration', 200, 'money_appeal_unanswered_14_days']]);
    const mine = (await call('GET', '/v1/work/appeals', w)).json().docs.find((x: { id: string }) => x.id === appeal.id);
    expect(mine).toMatchObject({ status: 'resolved', outcome: 'overturned', resolution: { by: { kind: 'rule', rule: 'money_appeal_unanswered_14_days' } } });
  });

  it('holds rejections for a second person once more than 20% of a batch of 20 would be rejected', async () => {
    const p = await project({}, 20);
    const workers = await makeWorkers(t, 20);
    for (const w of workers) await answer(p.name, w, 20_000);
    const statuses: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call('POST', `/v1/task/${p.ids[i]}/audit`, requester, { accepted: false, reason_code: 'wrong_answer', comments: REASON, evidence: EVIDENCE });
      expect(res.statusCode, res.body).toBe(200);
      statuses.push((await decisionsOf(workers[i]))[0].status);
    }
    // 4 of 20 is 20%: effective. The fifth would make 25%: it waits.
    expect(statuses).toEqual(['effective', 'effective', 'effective', 'effective', 'pending_second']);
    expect((await entries(workers[4].user.id)).map((e) => e.kind)).toEqual(['piece']);
    const pending = (await call('GET', '/v1/decisions/pending', reviewer)).json().docs.find((d: { project: string }) => d.project === p.name);
    expect(pending).toMatchObject({ hold_reason: 'mass_rejection' });
    const self = await call('POST', `/v1/decisions/${pending.id}/confirm`, requester, { outcome: 'confirmed', text: 'Yes, I meant to reject this one.' });
    expect([self.statusCode, self.json().code]).toEqual([409, 'second_person_required']);
    const ok = await call('POST', `/v1/decisions/${pending.id}/confirm`, reviewer, { outcome: 'confirmed', text: 'Checked: the answer is wrong, as stated.' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await entries(workers[4].user.id)).map((e) => e.kind)).toEqual(['piece', 'reversal']);
  });

  it('needs a second reviewer for an adverse action within 90 days of protected activity', async () => {
    const p = await project({ review_policy: { mode: 'all' } });
    const [w] = await makeWorkers(t, 1);
    expect((await call('POST', '/v1/work/protected_activity', w, { kind: 'wage_question', text: 'Why was my pay last week below the estimate?' })).statusCode).toBe(200);
    const a = await answer(p.name, w);
    await call('POST', `/v1/review/tasks/${a.taskId}`, reviewer, { action: 'reject', assignment_id: a.assignmentId, reason_code: 'wrong_answer', text: REASON, evidence: EVIDENCE });
    expect((await decisionsOf(w))[0]).toMatchObject({ status: 'pending_second', hold_reason: 'protected_activity', next_steps: ['awaiting_second_review', 'read_feedback', 'appeal_within_30_days'] });
    const noReason = await call('POST', '/v1/sanctions', reviewer, { worker_id: String(w.user.id), level: 'notice', reason_code: 'guideline_breach', statement: 'You skipped the guideline check on several tasks.' });
    expect([noReason.statusCode, noReason.json().code]).toEqual([422, 'written_reason_required']);
    const withReason = await call('POST', '/v1/sanctions', reviewer, { worker_id: String(w.user.id), level: 'notice', reason_code: 'guideline_breach', statement: 'You skipped the guideline check on several tasks.', second_reason: 'Unrelated to the wage question: 12 tasks on Jan 5.' });
    expect(withReason.json().sanction).toMatchObject({ status: 'pending_confirmation', hold_reason: 'protected_activity' });
  });

  it('grades sanctions and refuses a suspension without a second person confirming it', async () => {
    const p = await project();
    const [w] = await makeWorkers(t, 1);
    await answer(p.name, w);
    const sanction = (body: Record<string, unknown>, by = reviewer) => call('POST', '/v1/sanctions', by, { worker_id: String(w.user.id), reason_code: 'guideline_breach', statement: 'Repeatedly labelled without reading the text.', ...body });
    expect((await sanction({ level: 'warning', project: p.name })).json().code).toBe('sanction_not_graduated');
    expect((await sanction({ level: 'notice', statement: 'too short' })).json().code).toBe('statement_required');
    expect((await sanction({ level: 'notice' })).json().sanction).toMatchObject({ status: 'effective', level: 'notice' });
    const warning = (await sanction({ level: 'warning', project: p.name })).json().sanction;
    expect(warning).toMatchObject({ status: 'effective', window_days: 14, evidence: { missed_gold: [] } });
    expect((await sanction({ level: 'project_restriction', project: p.name })).json().sanction.status).toBe('effective');
    expect((await call('POST', `/v1/work/projects/${p.name}/claim`, w)).json().code).toBe('project_restricted');
    const suspension = (await sanction({ level: 'suspension' })).json().sanction;
    expect(suspension).toMatchObject({ status: 'pending_confirmation', hold_reason: 'human_confirmation' });
    const other = await project();
    // Not yet in effect: the worker still gets work elsewhere.
    expect((await call('POST', `/v1/work/projects/${other.name}/claim`, w)).statusCode).toBe(200);
    const self = await call('POST', `/v1/sanctions/${suspension.id}/confirm`, reviewer, { outcome: 'confirmed', text: 'Confirming my own suspension here.' });
    expect([self.statusCode, self.json().code]).toEqual([409, 'second_person_required']);
    const confirmed = await call('POST', `/v1/sanctions/${suspension.id}/confirm`, reviewer2, { outcome: 'confirmed', text: 'Read the evidence; the suspension is justified.' });
    expect(confirmed.json().sanction.status).toBe('effective');
    const refused = await call('POST', `/v1/work/projects/${other.name}/claim`, w);
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'worker_suspended']);
    const mine = (await decisionsOf(w)).find((d: { type: string; kind: string }) => d.type === 'sanction' && d.kind === 'suspension');
    expect(mine.next_steps).toEqual(['earned_pay_still_paid', 'appeal_within_30_days']);
  });

  it('refuses the very next claim once a worker is restricted from a project they are working in', async () => {
    const p = await project({}, 3);
    const [w] = await makeWorkers(t, 1);
    await answer(p.name, w); // work is still open for this worker, and this node has read the project
    // Sanctions are graduated: a notice and a warning come first.
    for (const level of ['notice', 'warning', 'project_restriction']) {
      const res = await call('POST', '/v1/sanctions', reviewer, { worker_id: String(w.user.id), level, ...(level !== 'notice' && { project: p.name }), reason_code: 'guideline_breach', statement: 'Repeatedly labelled without reading the text.' });
      expect(res.json().sanction.status).toBe('effective');
    }
    const refused = await call('POST', `/v1/work/projects/${p.name}/claim`, w);
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'project_restricted']);
  });

  it('allows no quality sanction without 10 gold answers and an upper bound below the threshold', async () => {
    const p = await project();
    const [w] = await makeWorkers(t, 1);
    await call('POST', '/v1/sanctions', reviewer, { worker_id: String(w.user.id), level: 'notice', reason_code: 'guideline_breach', statement: 'Repeatedly labelled without reading the text.' });
    const res = await call('POST', '/v1/sanctions', reviewer, { worker_id: String(w.user.id), level: 'warning', project: p.name, reason_code: 'low_quality', statement: 'Your accuracy on gold items is too low.' });
    expect([res.statusCode, res.json().code]).toEqual([409, 'quality_evidence_insufficient']);
    expect(res.json().error.details).toMatchObject({ n: 0, min_gold: 10 });
  });

  it('approves unreviewed work at the review deadline, takes the task out of the review queue, and then refuses a late rejection', async () => {
    const p = await project({ review_policy: { mode: 'all', deadline_days: 3 } });
    const [w] = await makeWorkers(t, 1);
    const a = await answer(p.name, w);
    t.clock.advance(2 * DAY);
    await approveDueReviews(t.database, t.clock());
    expect(await entries(w.user.id)).toEqual([]);
    t.clock.advance(DAY + 1000);
    await approveDueReviews(t.database, t.clock());
    expect((await entries(w.user.id)).map((e) => [e.kind, e.amount_minor, e.created_by_rule])).toEqual([['piece', 200, 'review_deadline']]);
    expect((await decisionsOf(w))[0]).toMatchObject({ kind: 'auto_approve', decided_by: { kind: 'rule', rule: 'review_deadline' } });
    // The task leaves the review queue, completed by rule with its aggregate.
    const task = (await call('GET', `/v1/task/${a.taskId}`, requester)).json();
    expect(task).toMatchObject({ status: 'completed', result: { decided_by: { kind: 'rule', rule: 'review_deadline' } } });
    expect((await call('GET', `/v1/review/queue?project=${p.name}`, reviewer)).json().docs).toEqual([]);
    const late = await call('POST', `/v1/review/tasks/${a.taskId}`, reviewer, { action: 'reject', assignment_id: a.assignmentId, reason_code: 'wrong_answer', text: REASON, evidence: EVIDENCE });
    expect([late.statusCode, late.json().code]).toEqual([409, 'task_not_in_review']);
    expect((await entries(w.user.id)).map((e) => e.kind)).toEqual(['piece']);
  });
});
