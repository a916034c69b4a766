import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerDb } from '../src/modules/ledger/ledger.tables.ts';

import { type Actor, buildProject, dialects, makeActor, makeWorkers, startTestApp, type TestApp } from './helpers/harness.ts';

const DAY = 86_400_000;
const TEXT = 'A written reason that is long enough.';

/** Every ledger endpoint answers bad input with a stable code and changes nothing. */
describe.each(dialects)('ledger HTTP API with bad input on %s', (dialect) => {
  let t: TestApp;
  let requester: Actor;
  let other: Actor;
  let admin: Actor;
  let reviewer: Actor;
  let worker: Actor;
  let worker2: Actor;
  let project: string;
  beforeAll(async () => {
    t = await startTestApp(dialect);
    [requester, other, admin, reviewer] = await Promise.all([makeActor(t, 'requester'), makeActor(t, 'requester'), makeActor(t, 'admin'), makeActor(t, 'reviewer')]);
    [worker, worker2] = await makeWorkers(t, 2);
    const body = buildProject({ pay: { currency: 'USD', piece_rate_minor: 10, promised_hourly_minor: 0, estimated_seconds: 60 } });
    expect((await call('POST', '/v1/projects', requester, body)).statusCode).toBe(200);
    project = body.name;
    await call('POST', '/v1/task/categorization', requester, { project, attachments: [{ type: 'text', content: 'x' }] });
  });
  afterAll(() => t.close());

  function call(method: 'GET' | 'POST' | 'PUT', url: string, actor: Actor | null, payload?: unknown) {
    return t.app.inject({ method, url, headers: actor ? actor.auth : {}, ...(payload !== undefined && { payload: payload as object }) });
  }
  async function expectError(method: 'GET' | 'POST' | 'PUT', url: string, actor: Actor | null, payload: unknown, status: number, code: string) {
    const res = await call(method, url, actor, payload);
    expect([res.statusCode, res.json().code], `${method} ${url} ${res.body}`).toEqual([status, code]);
    expect(res.json().error.code).toBe(code);
  }
  const l = () => ledgerDb(t.database.db);
  const projectId = async () => (await t.database.db.selectFrom('projects').select('id').where('name', '=', project).executeTakeFirstOrThrow()).id;

  it('rate cards: validation, roles, ownership, and required paid activities', async () => {
    const url = `/v1/projects/${project}/rate_cards`;
    const good = { kind: 'piece', currency: 'USD', piece_rate_minor: 20, hourly_minor: 0 };
    await expectError('GET', url, worker, undefined, 403, 'forbidden');
    await expectError('GET', url, other, undefined, 404, 'project_not_found');
    await expectError('GET', '/v1/projects/nope-nope/rate_cards', requester, undefined, 404, 'project_not_found');
    await expectError('POST', url, null, good, 401, 'unauthenticated');
    await expectError('POST', url, other, good, 404, 'project_not_found');
    await expectError('POST', url, requester, { ...good, kind: 'barter' }, 400, 'validation_failed');
    await expectError('POST', url, requester, { ...good, currency: 'usd' }, 400, 'validation_failed');
    await expectError('POST', url, requester, { ...good, piece_rate_minor: -1 }, 400, 'validation_failed');
    await expectError('POST', url, requester, { ...good, surprise: 1 }, 400, 'validation_failed');
    await expectError('POST', url, requester, { ...good, hourly_minor: 500 }, 422, 'rate_card_invalid');
    await expectError('POST', url, requester, { ...good, kind: 'hourly' }, 422, 'rate_card_invalid');
    await expectError('POST', url, requester, { ...good, kind: 'piece_hourly_min', hourly_minor: 0 }, 422, 'rate_card_invalid');
    await expectError('POST', url, requester, { ...good, paid_categories: ['task_active', 'long_idle'] }, 422, 'rate_card_invalid');
    await expectError('POST', url, requester, { ...good, paid_categories: ['task_active', 'short_idle', 'instructions', 'training', 'review_rework'] }, 422, 'required_activity_unpaid');
    await expectError('GET', '/v1/work/projects/nope-nope/rate_cards', worker, undefined, 404, 'project_not_found');
    expect(await l().selectFrom('rate_cards').select('id').where('project_id', '=', await projectId()).execute()).toEqual([]);
    expect((await call('GET', `/v1/projects/${project}`, requester)).json().pay.piece_rate_minor).toBe(10);
  });

  it('floors, minimums and exchange rates: admin only, dated and sourced', async () => {
    const minimum = { jurisdiction: 'US-QQ', effective_from: '2026-01-01', hourly_minor: 1500, currency: 'USD', source: 'Test ordinance' };
    await expectError('GET', '/v1/ledger/minimums', null, undefined, 401, 'unauthenticated');
    await expectError('POST', '/v1/ledger/minimums', requester, minimum, 403, 'forbidden');
    await expectError('POST', '/v1/ledger/minimums', admin, { ...minimum, jurisdiction: 'usa' }, 422, 'invalid_jurisdiction');
    await expectError('POST', '/v1/ledger/minimums', admin, { ...minimum, effective_from: '2026-02-30' }, 422, 'invalid_date');
    await expectError('POST', '/v1/ledger/minimums', admin, { ...minimum, effective_from: 'soon' }, 400, 'validation_failed');
    await expectError('POST', '/v1/ledger/minimums', admin, { ...minimum, source: '' }, 400, 'validation_failed');
    expect(await l().selectFrom('jurisdiction_minimums').select('id').where('jurisdiction', '=', 'US-QQ').execute()).toEqual([]);
    await expectError('PUT', '/v1/ledger/platform_floor', reviewer, { effective_from: '2026-01-01', hourly_minor: 1000, currency: 'USD' }, 403, 'forbidden');
    await expectError('PUT', '/v1/ledger/platform_floor', admin, { effective_from: '2026-13-01', hourly_minor: 1000, currency: 'USD' }, 422, 'invalid_date');
    await expectError('PUT', '/v1/ledger/platform_floor', admin, { effective_from: '2026-01-01', hourly_minor: 1000, currency: 'USD', extra: true }, 400, 'validation_failed');
    expect((await call('GET', '/v1/ledger/platform_floor', worker)).json().docs.map((d: { hourly_minor: number }) => d.hourly_minor)).toEqual([725]);
    await expectError('GET', '/v1/ledger/fx_rates', worker, undefined, 403, 'forbidden');
    await expectError('POST', '/v1/ledger/fx_rates', admin, { base: 'USD', quote: 'USD', effective_from: '2026-01-01', num: 1, den: 1, source: 'ECB' }, 422, 'invalid_currency');
    await expectError('POST', '/v1/ledger/fx_rates', admin, { base: 'USD', quote: 'EUR', effective_from: '2026-01-01', num: 0, den: 1, source: 'ECB' }, 400, 'validation_failed');
    const minimums = (await call('GET', '/v1/ledger/minimums', worker)).json().docs;
    expect(minimums.find((m: { jurisdiction: string; effective_from: string }) => m.jurisdiction === 'US' && m.effective_from === '2009-07-24')).toMatchObject({ hourly_minor: 725, currency: 'USD', source: expect.stringContaining('29 U.S.C. 206') });
  });

  it('pay profiles: zones, jurisdictions, and a workweek that cannot move under recorded time', async () => {
    const [w] = await makeWorkers(t, 1);
    await expectError('PUT', '/v1/work/ledger/profile', w, { timezone: 'Mars/Olympus_Mons' }, 422, 'invalid_timezone');
    await expectError('PUT', '/v1/work/ledger/profile', w, { jurisdiction: 'somewhere' }, 422, 'invalid_jurisdiction');
    await expectError('PUT', '/v1/work/ledger/profile', w, { engagement: 'employee' }, 400, 'validation_failed');
    await expectError('PUT', '/v1/work/ledger/profile', w, { week_start_day: 7 }, 400, 'validation_failed');
    await expectError('PUT', `/v1/ledger/workers/${w.user.id}/profile`, reviewer, { engagement: 'employee' }, 403, 'forbidden');
    await expectError('PUT', '/v1/ledger/workers/999999999/profile', admin, { engagement: 'employee' }, 404, 'worker_not_found');
    await expectError('PUT', '/v1/ledger/workers/abc/profile', admin, { engagement: 'employee' }, 404, 'worker_not_found');
    await expectError('PUT', `/v1/ledger/workers/${w.user.id}/profile`, admin, { currency: 'dollars' }, 400, 'validation_failed');
    expect((await call('GET', '/v1/work/ledger/profile', w)).json()).toMatchObject({ jurisdiction: null, engagement: 'contractor', currency: 'USD', timezone: 'UTC', week_start_day: 1 });
    const a = (await call('POST', `/v1/work/projects/${project}/claim`, w)).json().assignment;
    t.clock.advance(10_000);
    await call('POST', `/v1/work/assignments/${a.id}/skip`, w, {});
    await expectError('PUT', '/v1/work/ledger/profile', w, { timezone: 'Europe/Paris' }, 409, 'workweek_in_use');
    expect((await call('PUT', '/v1/work/ledger/profile', w, { jurisdiction: 'US-CA' })).json()).toMatchObject({ jurisdiction: 'US-CA', timezone: 'UTC' });
  });

  it('activities: categories, projects and ownership', async () => {
    await expectError('POST', '/v1/work/activities', worker, { category: 'napping' }, 400, 'validation_failed');
    await expectError('POST', '/v1/work/activities', worker, { category: 'training', project: 'nope-nope' }, 404, 'project_not_found');
    await expectError('POST', '/v1/work/activities/999999999/heartbeat', worker, { visible: true, input_active: true }, 404, 'activity_not_found');
    await expectError('POST', '/v1/work/activities/x/end', worker, {}, 404, 'activity_not_found');
    const mine = (await call('POST', '/v1/work/activities', worker, { category: 'instructions', project })).json().activity;
    await expectError('POST', `/v1/work/activities/${mine.id}/heartbeat`, worker2, { visible: true, input_active: true }, 404, 'activity_not_found');
    await expectError('POST', `/v1/work/activities/${mine.id}/heartbeat`, worker, { visible: 'yes', input_active: true }, 400, 'validation_failed');
    await expectError('POST', `/v1/work/activities/${mine.id}/end`, worker, { outcome: 'great' }, 400, 'validation_failed');
    await call('POST', `/v1/work/activities/${mine.id}/end`, worker, {});
    await expectError('POST', `/v1/work/activities/${mine.id}/heartbeat`, worker, { visible: true, input_active: true }, 409, 'activity_not_open');
  });

  it('ledger, weeks, adjustments and the chain: ranges, roles and idempotence', async () => {
    await expectError('GET', '/v1/work/ledger/entries?from=2026-02-01&to=2026-01-01', worker, undefined, 422, 'invalid_date');
    await expectError('GET', '/v1/work/ledger/entries?from=2024-01-01&to=2026-01-01', worker, undefined, 422, 'invalid_date');
    await expectError('GET', '/v1/work/ledger/weeks?from=yesterday', worker, undefined, 400, 'validation_failed');
    const adj = { worker_id: String(worker2.user.id), kind: 'bonus', amount_minor: 500, currency: 'USD', reason: 'Thanks for the careful work this week.', idempotency_key: 'bonus-0001' };
    await expectError('POST', '/v1/ledger/adjustments', reviewer, adj, 403, 'forbidden');
    await expectError('POST', '/v1/ledger/adjustments', admin, { ...adj, reason: 'short' }, 400, 'validation_failed');
    await expectError('POST', '/v1/ledger/adjustments', admin, { ...adj, amount_minor: 0 }, 400, 'validation_failed');
    await expectError('POST', '/v1/ledger/adjustments', admin, { ...adj, worker_id: '999999999' }, 404, 'worker_not_found');
    await expectError('POST', '/v1/ledger/adjustments', admin, { ...adj, project: 'nope-nope' }, 404, 'project_not_found');
    expect(await l().selectFrom('ledger_entries').select('id').where('worker_id', '=', worker2.user.id).execute()).toEqual([]);
    const first = (await call('POST', '/v1/ledger/adjustments', admin, adj)).json();
    const again = (await call('POST', '/v1/ledger/adjustments', admin, adj)).json();
    expect(again).toEqual(first);
    expect(first.entry).toMatchObject({ kind: 'bonus', amount_minor: 500, by: { kind: 'person' } });
    expect(await l().selectFrom('ledger_entries').select('id').where('worker_id', '=', worker2.user.id).execute()).toHaveLength(1);
    await expectError('POST', '/v1/ledger/weeks/close', requester, {}, 403, 'forbidden');
    await expectError('GET', '/v1/ledger/chain', reviewer, undefined, 403, 'forbidden');
    await expectError('GET', '/v1/ledger/chain?verify=true&worker_id=abc', admin, undefined, 404, 'worker_not_found');
    await expectError('GET', '/v1/ledger/chain?verify=perhaps', admin, undefined, 400, 'validation_failed');
  });

  it('decisions, appeals and sanctions: subjects, windows, people and states', async () => {
    await expectError('GET', '/v1/work/decisions', null, undefined, 401, 'unauthenticated');
    await expectError('GET', '/v1/decisions/pending', worker, undefined, 403, 'forbidden');
    await expectError('POST', '/v1/decisions/999999999/confirm', reviewer, { outcome: 'confirmed', text: TEXT }, 404, 'decision_not_found');
    await expectError('POST', '/v1/decisions/1/confirm', reviewer, { outcome: 'confirmed', text: 'short' }, 400, 'validation_failed');
    await expectError('POST', '/v1/work/protected_activity', worker, { kind: 'gossip', text: 'x' }, 400, 'validation_failed');

    await expectError('POST', '/v1/work/appeals', worker, { subject_kind: 'decision', subject_id: '999999999', text: 'Please check this again.' }, 404, 'appeal_subject_not_found');
    await expectError('POST', '/v1/work/appeals', worker, { subject_kind: 'mood', subject_id: '1', text: 'Please check this again.' }, 400, 'validation_failed');
    await expectError('POST', '/v1/work/appeals', worker, { subject_kind: 'decision', subject_id: '1', text: 'short' }, 400, 'validation_failed');
    // A decision: a rejection on audit of the worker's answer.
    const body = buildProject({ pay: { currency: 'USD', piece_rate_minor: 10, promised_hourly_minor: 0, estimated_seconds: 60 } });
    await call('POST', '/v1/projects', requester, body);
    const task = (await call('POST', '/v1/task/categorization', requester, { project: body.name, attachments: [{ type: 'text', content: 'y' }] })).json().task_id;
    const a = (await call('POST', `/v1/work/projects/${body.name}/claim`, worker)).json().assignment;
    t.clock.advance(20_000);
    await call('POST', `/v1/work/assignments/${a.id}/submit`, worker, { response: { category: 'cat' } });
    await call('POST', `/v1/task/${task}/audit`, requester, { accepted: false, reason_code: 'wrong_answer', comments: TEXT, evidence: { speed_z: -4.1 } });
    const decision = (await call('GET', '/v1/work/decisions', worker)).json().docs[0];
    expect(decision).toMatchObject({ kind: 'audit_reject', status: 'effective' });
    await expectError('POST', '/v1/work/appeals', worker2, { subject_kind: 'decision', subject_id: decision.id, text: 'Not my decision at all.' }, 404, 'appeal_subject_not_found');
    await expectError('POST', '/v1/work/appeals', worker, { subject_kind: 'time_record', subject_id: a.id, text: 'My time was longer than recorded.' }, 400, 'validation_failed');
    await expectError('POST', `/v1/decisions/${decision.id}/confirm`, reviewer, { outcome: 'confirmed', text: TEXT }, 409, 'decision_not_pending');
    const appealsBefore = await l().selectFrom('appeals').select('id').where('worker_id', '=', worker.user.id).execute();
    expect(appealsBefore).toEqual([]);
    expect(await l().selectFrom('protected_activities').select('id').where('worker_id', '=', worker.user.id).execute()).toEqual([]);
    const filed = (await call('POST', '/v1/work/appeals', worker, { subject_kind: 'time_record', subject_id: a.id, text: 'The lease ran while the page was open.', claimed_minor: 50 })).json();
    t.clock.advance(31 * DAY);
    await expectError('POST', '/v1/work/appeals', worker, { subject_kind: 'decision', subject_id: decision.id, text: 'Please check this again.' }, 409, 'appeal_window_closed');
    expect(filed.appeal).toMatchObject({ is_money: true, claimed_minor: 50, currency: 'USD' });
    const id = filed.appeal.id;
    await expectError('GET', '/v1/appeals', worker, undefined, 403, 'forbidden');
    await expectError('POST', '/v1/appeals/999999999/assign', admin, { assignee_id: String(reviewer.user.id) }, 404, 'appeal_not_found');
    await expectError('POST', `/v1/appeals/${id}/assign`, reviewer, { assignee_id: String(reviewer.user.id) }, 403, 'forbidden');
    await expectError('POST', `/v1/appeals/${id}/assign`, admin, { assignee_id: String(worker.user.id) }, 404, 'worker_not_found');
    await expectError('POST', '/v1/appeals/999999999/resolve', admin, { outcome: 'upheld', text: TEXT }, 404, 'appeal_not_found');
    await expectError('POST', `/v1/appeals/${id}/resolve`, worker, { outcome: 'overturned', text: TEXT }, 403, 'forbidden');
    await expectError('POST', `/v1/appeals/${id}/resolve`, admin, { outcome: 'maybe', text: TEXT }, 400, 'validation_failed');
    const hearer = await makeActor(t, 'reviewer');
    await call('POST', `/v1/appeals/${id}/assign`, admin, { assignee_id: String(hearer.user.id) });
    await expectError('POST', `/v1/appeals/${id}/resolve`, reviewer, { outcome: 'overturned', text: TEXT }, 403, 'appeal_not_assigned_to_you');
    expect(await l().selectFrom('ledger_entries').select('kind').where('worker_id', '=', worker.user.id).where('kind', '=', 'appeal_restoration').execute()).toEqual([]);
    expect((await call('POST', `/v1/appeals/${id}/resolve`, hearer, { outcome: 'overturned', text: TEXT })).json().appeal).toMatchObject({ status: 'resolved', outcome: 'overturned', resolution: { restored_minor: 50 } });

    const sanction = { worker_id: String(worker2.user.id), level: 'notice', reason_code: 'guideline_breach', statement: 'You skipped the guideline on several tasks.' };
    await expectError('POST', '/v1/sanctions', worker, sanction, 403, 'forbidden');
    await expectError('POST', '/v1/sanctions', reviewer, { ...sanction, level: 'banishment' }, 400, 'validation_failed');
    await expectError('POST', '/v1/sanctions', reviewer, { ...sanction, worker_id: '999999999' }, 404, 'worker_not_found');
    await expectError('POST', '/v1/sanctions', reviewer, { ...sanction, project: 'nope-nope' }, 404, 'project_not_found');
    await expectError('POST', '/v1/sanctions', reviewer, { ...sanction, reason_code: 'Bad Code' }, 400, 'validation_failed');
    expect(await l().selectFrom('sanctions').select('id').where('worker_id', '=', worker2.user.id).execute()).toEqual([]);
    await expectError('GET', '/v1/sanctions/pending', worker, undefined, 403, 'forbidden');
    await expectError('POST', '/v1/sanctions/999999999/confirm', reviewer, { outcome: 'confirmed', text: TEXT }, 404, 'sanction_not_found');
    const notice = (await call('POST', '/v1/sanctions', reviewer, sanction)).json().sanction;
    await expectError('POST', `/v1/sanctions/${notice.id}/confirm`, admin, { outcome: 'confirmed', text: TEXT }, 409, 'sanction_not_pending');
  });

  it('reports and estimates: formats, ranges, roles and ownership', async () => {
    await expectError('GET', '/v1/work/statement?format=xml', worker, undefined, 400, 'validation_failed');
    await expectError('GET', '/v1/work/statement?from=2026-03-01&to=2026-01-01', worker, undefined, 422, 'invalid_date');
    await expectError('GET', `/v1/ledger/workers/${worker.user.id}/statement`, reviewer, undefined, 403, 'forbidden');
    await expectError('GET', '/v1/ledger/workers/999999999/statement', admin, undefined, 404, 'worker_not_found');
    await expectError('GET', '/v1/work/dashboard', null, undefined, 401, 'unauthenticated');
    await expectError('GET', `/v1/projects/${project}/compliance`, other, undefined, 404, 'project_not_found');
    await expectError('GET', `/v1/projects/${project}/compliance`, worker, undefined, 403, 'forbidden');
    await expectError('GET', `/v1/projects/${project}/compliance?from=2026-01-10&to=2026-01-01`, requester, undefined, 422, 'invalid_date');
    await expectError('GET', `/v1/projects/${project}/pay_status`, other, undefined, 404, 'project_not_found');
    await expectError('POST', `/v1/projects/${project}/accept_topups`, worker, {}, 403, 'forbidden');
    await expectError('POST', `/v1/projects/${project}/accept_topups`, other, {}, 404, 'project_not_found');
    expect(await l().selectFrom('topup_acceptances').select('id').where('project_id', '=', await projectId()).execute()).toEqual([]);
    const dashboard = (await call('GET', '/v1/work/dashboard', worker2)).json();
    expect(Object.keys(dashboard).sort()).toEqual(['balance', 'earnings', 'hours', 'open_appeals', 'pending_reviews', 'projected_topup_minor', 'projection_problem', 'quality', 'rate', 'week']);
  });
});
