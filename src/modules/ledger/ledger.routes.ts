import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../server/errors.ts';
import { ROLES, requireRole } from '../accounts/index.ts';
import { findProjectByName, getProjectFor } from '../projects/index.ts';
import { activityHeartbeat, endActivity, startActivity } from './activity.service.ts';
import { appealsToHear, assignAppeal, fileAppeal, myAppeals, resolveAppeal, SUBJECT_KINDS } from './appeals.service.ts';
import { confirmDecision, pendingDecisions, recordProtectedActivity } from './decisions.service.ts';
import { acceptTopups, payStatus } from './estimates.service.ts';
import { complianceCsv, complianceReport, statementCsv, workerDashboard, workerDecisions, workerStatement } from './reports.service.ts';
import { confirmSanction, issueSanction, LEVELS, pendingSanctions } from './sanctions.service.ts';
import { ACTIVITY_CATEGORIES } from './categories.ts';
import { adjust, listEntries, listWeeks } from './entries.service.ts';
import { addFxRate, addMinimum, getProfile, isDate, listFxRates, listMinimums, platformFloors, publishRateCard, rateCardsOf, setPlatformFloor, setProfile } from './settings.service.ts';
import { chainHead, closeDueWeeks, verifyChain } from './week-close.service.ts';

const Id = Type.String({ maxLength: 40 });
const IdParams = Type.Object({ id: Id });
const NameParams = Type.Object({ name: Type.String({ maxLength: 100 }) });
const Currency = Type.String({ pattern: '^[A-Z]{3}$' });
const Minor = Type.Integer({ minimum: 0, maximum: 1_000_000_000 });
const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const Category = Type.Union(ACTIVITY_CATEGORIES.map((c) => Type.Literal(c)));
const closed = { additionalProperties: false } as const;

/** A numeric id from the path, or the route's not-found error. */
export function idOf(raw: string, notFound: () => AppError): number {
  if (!/^\d{1,15}$/.test(raw)) throw notFound();
  return Number(raw);
}

/** A from/to date range (inclusive), at most 366 days; defaults to the last 28 days. */
export function rangeOf(query: { from?: string; to?: string }, now: number): { from: string; to: string } {
  const to = query.to ?? new Date(now).toISOString().slice(0, 10);
  const from = query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 27 * 86_400_000).toISOString().slice(0, 10);
  if (!isDate(from) || !isDate(to) || from > to || Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`) > 366 * 86_400_000) throw new AppError('invalid_date');
  return { from, to };
}

/**
 * The fair-work ledger's HTTP API (shared/FAIRWORK.md).
 */
export const ledgerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database, now } = app.services;
  const db = database.db;

  // ---- rate cards (rule 9) ----
  app.get('/v1/projects/:name/rate_cards', { schema: { tags: ['ledger'], params: NameParams } }, async (request) => {
    const principal = requireRole(request, 'requester');
    return rateCardsOf(db, await getProjectFor(db, principal, request.params.name), now());
  });

  app.post(
    '/v1/projects/:name/rate_cards',
    {
      schema: {
        tags: ['ledger'],
        params: NameParams,
        body: Type.Object(
          {
            kind: Type.Union([Type.Literal('piece'), Type.Literal('hourly'), Type.Literal('piece_hourly_min')]),
            currency: Currency,
            piece_rate_minor: Minor,
            hourly_minor: Minor,
            paid_categories: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 20 })),
            notice_days: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
          },
          closed,
        ),
      },
    },
    async (request) => {
      const principal = requireRole(request, 'requester');
      return publishRateCard(database, principal, request.params.name, request.body, now());
    },
  );

  app.get('/v1/work/projects/:name/rate_cards', { schema: { tags: ['work'], params: NameParams } }, async (request) => {
    requireRole(request, ...ROLES);
    const project = await findProjectByName(db, request.params.name);
    if (!project || project.status === 'draft' || project.status === 'archived') throw new AppError('project_not_found');
    const cards = await rateCardsOf(db, project, now());
    return { project: cards.project, in_effect: cards.in_effect, upcoming: cards.upcoming };
  });

  // ---- floors, minimums, exchange rates ----
  app.get('/v1/ledger/minimums', { schema: { tags: ['ledger'] } }, async (request) => {
    requireRole(request, ...ROLES);
    return { docs: await listMinimums(db) };
  });

  app.post(
    '/v1/ledger/minimums',
    {
      schema: {
        tags: ['ledger'],
        body: Type.Object(
          { jurisdiction: Type.String({ maxLength: 10 }), effective_from: DateString, hourly_minor: Minor, currency: Currency, source: Type.String({ minLength: 5, maxLength: 2000 }) },
          closed,
        ),
      },
    },
    async (request) => {
      const principal = requireRole(request, 'admin');
      return addMinimum(db, request.body, principal.id, now());
    },
  );

  app.get('/v1/ledger/platform_floor', { schema: { tags: ['ledger'] } }, async (request) => {
    requireRole(request, ...ROLES);
    return { docs: await platformFloors(db) };
  });

  app.put(
    '/v1/ledger/platform_floor',
    { schema: { tags: ['ledger'], body: Type.Object({ effective_from: DateString, hourly_minor: Minor, currency: Currency, note: Type.Optional(Type.String({ maxLength: 2000 })) }, closed) } },
    async (request) => {
      const principal = requireRole(request, 'admin');
      return setPlatformFloor(db, request.body, principal.id, now());
    },
  );

  app.get('/v1/ledger/fx_rates', { schema: { tags: ['ledger'] } }, async (request) => {
    requireRole(request, 'admin', 'requester', 'reviewer');
    return { docs: await listFxRates(db) };
  });

  app.post(
    '/v1/ledger/fx_rates',
    {
      schema: {
        tags: ['ledger'],
        body: Type.Object(
          {
            base: Currency,
            quote: Currency,
            effective_from: DateString,
            num: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
            den: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
            source: Type.String({ minLength: 3, maxLength: 2000 }),
          },
          closed,
        ),
      },
    },
    async (request) => {
      const principal = requireRole(request, 'admin');
      return addFxRate(db, request.body, principal.id, now());
    },
  );

  // ---- pay profiles ----
  const ProfileBody = Type.Object(
    {
      jurisdiction: Type.Optional(Type.Union([Type.String({ maxLength: 10 }), Type.Null()])),
      engagement: Type.Optional(Type.Union([Type.Literal('contractor'), Type.Literal('employee')])),
      currency: Type.Optional(Currency),
      timezone: Type.Optional(Type.String({ maxLength: 64 })),
      week_start_day: Type.Optional(Type.Integer({ minimum: 0, maximum: 6 })),
    },
    closed,
  );

  app.get('/v1/work/ledger/profile', { schema: { tags: ['work'] } }, async (request) => {
    const principal = requireRole(request, ...ROLES);
    return getProfile(database, principal.id, now());
  });

  app.put(
    '/v1/work/ledger/profile',
    {
      schema: {
        tags: ['work'],
        // A worker states where they work and their workweek; engagement and settlement currency are set by an admin.
        body: Type.Object(
          { jurisdiction: Type.Optional(Type.Union([Type.String({ maxLength: 10 }), Type.Null()])), timezone: Type.Optional(Type.String({ maxLength: 64 })), week_start_day: Type.Optional(Type.Integer({ minimum: 0, maximum: 6 })) },
          closed,
        ),
      },
    },
    async (request) => {
      const principal = requireRole(request, ...ROLES);
      return setProfile(database, principal.id, request.body, principal.id, now());
    },
  );

  app.put('/v1/ledger/workers/:id/profile', { schema: { tags: ['ledger'], params: IdParams, body: ProfileBody } }, async (request) => {
    const principal = requireRole(request, 'admin');
    return setProfile(database, idOf(request.params.id, () => new AppError('worker_not_found')), request.body, principal.id, now());
  });

  // ---- activities: time outside a task ----
  app.post('/v1/work/activities', { schema: { tags: ['work'], body: Type.Object({ category: Category, project: Type.Optional(Type.String({ maxLength: 100 })) }, closed) } }, async (request) => {
    const principal = requireRole(request, ...ROLES);
    return { activity: await startActivity(database, principal, request.body, now()) };
  });

  app.post(
    '/v1/work/activities/:id/heartbeat',
    { schema: { tags: ['work'], params: IdParams, body: Type.Object({ visible: Type.Boolean(), input_active: Type.Boolean() }, closed) } },
    async (request) => {
      const principal = requireRole(request, ...ROLES);
      const id = idOf(request.params.id, () => new AppError('activity_not_found'));
      return { activity: await activityHeartbeat(database, principal, id, { visible: request.body.visible, inputActive: request.body.input_active }, now()) };
    },
  );

  app.post(
    '/v1/work/activities/:id/end',
    { schema: { tags: ['work'], params: IdParams, body: Type.Optional(Type.Object({ outcome: Type.Optional(Type.Union([Type.Literal('passed'), Type.Literal('failed')])) }, closed)) } },
    async (request) => {
      const principal = requireRole(request, ...ROLES);
      const id = idOf(request.params.id, () => new AppError('activity_not_found'));
      return { activity: await endActivity(database, principal, id, request.body?.outcome ?? null, now()) };
    },
  );

  // ---- ledger, weeks, chain ----
  const RangeQuery = Type.Object({ from: Type.Optional(DateString), to: Type.Optional(DateString) }, closed);

  app.get('/v1/work/ledger/entries', { schema: { tags: ['work'], querystring: RangeQuery } }, async (request) => {
    const principal = requireRole(request, ...ROLES);
    return { docs: await listEntries(db, principal.id, rangeOf(request.query, now())) };
  });

  app.get('/v1/work/ledger/weeks', { schema: { tags: ['work'], querystring: RangeQuery } }, async (request) => {
    const principal = requireRole(request, ...ROLES);
    return { docs: await listWeeks(db, principal.id, rangeOf(request.query, now())) };
  });

  app.post(
    '/v1/ledger/adjustments',
    {
      schema: {
        tags: ['ledger'],
        body: Type.Object(
          {
            worker_id: Id,
            kind: Type.Union([Type.Literal('bonus'), Type.Literal('adjustment'), Type.Literal('deduction')]),
            amount_minor: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
            currency: Currency,
            project: Type.Optional(Type.String({ maxLength: 100 })),
            reason: Type.String({ minLength: 20, maxLength: 2000 }),
            idempotency_key: Type.String({ minLength: 8, maxLength: 100 }),
          },
          closed,
        ),
      },
    },
    async (request) => {
      const principal = requireRole(request, 'admin');
      return adjust(database, principal, { ...request.body, worker_id: idOf(request.body.worker_id, () => new AppError('worker_not_found')) }, now());
    },
  );

  app.post('/v1/ledger/weeks/close', { schema: { tags: ['ledger'], body: Type.Optional(Type.Object({}, closed)) } }, async (request) => {
    requireRole(request, 'admin');
    return closeDueWeeks(database, now());
  });

  app.get('/v1/ledger/chain', { schema: { tags: ['ledger'], querystring: Type.Object({ verify: Type.Optional(Type.Boolean()), worker_id: Type.Optional(Id) }, closed) } }, async (request) => {
    requireRole(request, 'admin');
    const head = await chainHead(database);
    if (!request.query.verify) return { head };
    const workerId = request.query.worker_id === undefined ? undefined : idOf(request.query.worker_id, () => new AppError('worker_not_found'));
    const check = await verifyChain(database, { workerId });
    return { head, verified: { checked: check.checked, ok: check.mismatches.length === 0, mismatches: check.mismatches } };
  });
  // ---- decisions (rules 5, 6, 11) ----
  const Reason = Type.String({ minLength: 20, maxLength: 4000 });

  app.get('/v1/work/decisions', { schema: { tags: ['work'] } }, async (request) => {
    const principal = requireRole(request, ...ROLES);
    return { docs: await workerDecisions(db, principal.id, now()) };
  });

  app.get('/v1/decisions/pending', { schema: { tags: ['ledger'] } }, async (request) => {
    const principal = requireRole(request, 'reviewer', 'requester');
    return { docs: await pendingDecisions(db, principal) };
  });

  app.post(
    '/v1/decisions/:id/confirm',
    { schema: { tags: ['ledger'], params: IdParams, body: Type.Object({ outcome: Type.Union([Type.Literal('confirmed'), Type.Literal('overturned')]), text: Reason }, closed) } },
    async (request) => {
      const principal = requireRole(request, 'reviewer', 'requester');
      return { decision: await confirmDecision(database, principal, idOf(request.params.id, () => new AppError('decision_not_found')), request.body, now()) };
    },
  );

  app.post('/v1/work/protected_activity', { schema: { tags: ['work'], body: Type.Object({ kind: Type.Union([Type.Literal('wage_question'), Type.Literal('complaint')]), text: Type.String({ minLength: 1, maxLength: 4000 }) }, closed) } }, async (request) => {
    const principal = requireRole(request, ...ROLES);
    return recordProtectedActivity(db, principal.id, request.body, now());
  });

  // ---- appeals (rule 7) ----
  app.post(
    '/v1/work/appeals',
    {
      schema: {
        tags: ['work'],
        body: Type.Object(
          { subject_kind: Type.Union(SUBJECT_KINDS.map((k) => Type.Literal(k))), subject_id: Id, text: Type.String({ minLength: 10, maxLength: 4000 }), claimed_minor: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000 })) },
          closed,
        ),
      },
    },
    async (request) => {
      const principal = requireRole(request, ...ROLES);
      const subjectId = idOf(request.body.subject_id, () => new AppError('appeal_subject_not_found'));
      return fileAppeal(database, principal, { ...request.body, subject_id: subjectId }, now());
    },
  );

  app.get('/v1/work/appeals', { schema: { tags: ['work'] } }, async (request) => {
    const principal = requireRole(request, ...ROLES);
    return { docs: await myAppeals(db, principal.id) };
  });

  app.get('/v1/appeals', { schema: { tags: ['ledger'] } }, async (request) => {
    const principal = requireRole(request, 'reviewer');
    return { docs: await appealsToHear(db, principal) };
  });

  app.post('/v1/appeals/:id/assign', { schema: { tags: ['ledger'], params: IdParams, body: Type.Object({ assignee_id: Id }, closed) } }, async (request) => {
    const principal = requireRole(request, 'admin');
    const appealId = idOf(request.params.id, () => new AppError('appeal_not_found'));
    return assignAppeal(database, principal, appealId, idOf(request.body.assignee_id, () => new AppError('worker_not_found')), now());
  });

  app.post(
    '/v1/appeals/:id/resolve',
    {
      schema: {
        tags: ['ledger'],
        params: IdParams,
        body: Type.Object({ outcome: Type.Union([Type.Literal('upheld'), Type.Literal('overturned')]), text: Reason, restored_minor: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000 })) }, closed),
      },
    },
    async (request) => {
      const principal = requireRole(request, 'reviewer');
      return resolveAppeal(database, principal, idOf(request.params.id, () => new AppError('appeal_not_found')), request.body, now());
    },
  );

  // ---- sanctions (rule 8) ----
  app.post(
    '/v1/sanctions',
    {
      schema: {
        tags: ['ledger'],
        body: Type.Object(
          {
            worker_id: Id,
            level: Type.Union(LEVELS.map((l) => Type.Literal(l))),
            project: Type.Optional(Type.String({ maxLength: 100 })),
            reason_code: Type.String({ pattern: '^[a-z][a-z0-9_]{1,63}$' }),
            statement: Type.String({ minLength: 1, maxLength: 8000 }),
            evidence: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
            window_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
            second_reason: Type.Optional(Type.String({ maxLength: 4000 })),
            quality_threshold: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
          },
          closed,
        ),
      },
    },
    async (request) => {
      const principal = requireRole(request, 'reviewer');
      return issueSanction(database, principal, { ...request.body, worker_id: idOf(request.body.worker_id, () => new AppError('worker_not_found')) }, now());
    },
  );

  app.get('/v1/sanctions/pending', { schema: { tags: ['ledger'] } }, async (request) => {
    const principal = requireRole(request, 'reviewer');
    return { docs: await pendingSanctions(db, principal, now()) };
  });

  app.post(
    '/v1/sanctions/:id/confirm',
    { schema: { tags: ['ledger'], params: IdParams, body: Type.Object({ outcome: Type.Union([Type.Literal('confirmed'), Type.Literal('declined')]), text: Reason }, closed) } },
    async (request) => {
      const principal = requireRole(request, 'reviewer');
      return confirmSanction(database, principal, idOf(request.params.id, () => new AppError('sanction_not_found')), request.body, now());
    },
  );

  // ---- reports ----
  const ReportQuery = Type.Object({ from: Type.Optional(DateString), to: Type.Optional(DateString), format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) }, closed);

  app.get('/v1/work/statement', { schema: { tags: ['work'], querystring: ReportQuery } }, async (request, reply) => {
    const principal = requireRole(request, ...ROLES);
    const statement = await workerStatement(database, principal.id, rangeOf(request.query, now()), now());
    if (request.query.format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="statement-${statement.period.from}-${statement.period.to}.csv"`).send(statementCsv(statement));
    return statement;
  });

  app.get('/v1/ledger/workers/:id/statement', { schema: { tags: ['ledger'], params: IdParams, querystring: ReportQuery } }, async (request, reply) => {
    requireRole(request, 'admin');
    const workerId = idOf(request.params.id, () => new AppError('worker_not_found'));
    if (!(await db.selectFrom('users').select('id').where('id', '=', workerId).executeTakeFirst())) throw new AppError('worker_not_found');
    const statement = await workerStatement(database, workerId, rangeOf(request.query, now()), now());
    if (request.query.format === 'csv') return reply.type('text/csv; charset=utf-8').send(statementCsv(statement));
    return statement;
  });

  app.get('/v1/work/dashboard', { schema: { tags: ['work'] } }, async (request) => {
    const principal = requireRole(request, ...ROLES);
    return workerDashboard(database, principal.id, now());
  });

  app.get('/v1/projects/:name/compliance', { schema: { tags: ['ledger'], params: NameParams, querystring: ReportQuery } }, async (request, reply) => {
    const principal = requireRole(request, 'requester');
    const project = await getProjectFor(db, principal, request.params.name);
    const report = await complianceReport(db, project, rangeOf(request.query, now()));
    if (request.query.format === 'csv') return reply.type('text/csv; charset=utf-8').send(complianceCsv(report));
    return report;
  });

  // ---- estimates and the pay stop (rule 2) ----
  app.get('/v1/projects/:name/pay_status', { schema: { tags: ['ledger'], params: NameParams } }, async (request) => {
    const principal = requireRole(request, 'requester');
    return payStatus(db, await getProjectFor(db, principal, request.params.name), now());
  });

  app.post('/v1/projects/:name/accept_topups', { schema: { tags: ['ledger'], params: NameParams, body: Type.Optional(Type.Object({}, closed)) } }, async (request) => {
    const principal = requireRole(request, 'requester');
    return acceptTopups(database, principal, request.params.name, now());
  });
};
