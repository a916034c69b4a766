import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialect.ts';

/**
 * The fair-work ledger (shared/FAIRWORK.md): workweek accounts, pay profiles, dated floors
 * (jurisdiction minimums, platform floor, exchange rates), rate cards, time segments, activity
 * sessions, ledger entries, week closes chained by hash, decisions, appeals, sanctions, protected
 * activity and estimate revisions.
 *
 * Events are append-only: triggers on both databases refuse UPDATE and DELETE, so a correction can
 * only be a new compensating row. Three small tables are pointers and keep running state, and so are
 * not append-only: ledger_accounts (a worker's workweek and how far it is closed, also the lock that
 * orders a worker's writes against the week close), ledger_chain (the head of the week hash chain,
 * locked by each close) and activity_sessions (open pre-work sessions, like assignments).
 */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  const big = d.bigint;

  await db.schema
    .createTable('ledger_accounts')
    .addColumn('worker_id', big, (c) => c.primaryKey().references('users.id'))
    // IANA zone and first day of the workweek (0 Sunday .. 6 Saturday), fixed while weeks are open.
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('week_start_day', 'integer', (c) => c.notNull().defaultTo(1))
    // Week keys are the local date (YYYY-MM-DD) a workweek starts on; they sort as text.
    .addColumn('closed_through', 'text')
    .addColumn('next_open_week', 'text')
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_accounts_open').on('ledger_accounts').columns(['next_open_week']).execute();

  await d
    .addIdColumn(db.schema.createTable('worker_pay_profiles'), 'id')
    .addColumn('worker_id', big, (c) => c.notNull().references('users.id'))
    // ISO 3166 code, optionally with a subdivision: US, US-CA, GB, DE, FR, JP-13. Null: platform floor only.
    .addColumn('jurisdiction', 'text')
    .addColumn('engagement', 'text', (c) => c.notNull().check(sql`engagement in ('contractor', 'employee')`))
    // ISO 4217 currency the worker is settled in (top-ups, overtime).
    .addColumn('currency', 'text', (c) => c.notNull())
    // The workweek: IANA zone and first day (0 Sunday .. 6 Saturday). A version per change, so a
    // recomputed close reads the workweek it was closed under.
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('week_start_day', 'integer', (c) => c.notNull())
    .addColumn('created_by', big)
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('worker_pay_profiles_worker').on('worker_pay_profiles').columns(['worker_id', 'id']).execute();

  await d
    .addIdColumn(db.schema.createTable('jurisdiction_minimums'), 'id')
    .addColumn('jurisdiction', 'text', (c) => c.notNull())
    .addColumn('effective_from', 'text', (c) => c.notNull())
    .addColumn('hourly_minor', big, (c) => c.notNull().check(sql`hourly_minor >= 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_by', big)
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jurisdiction_minimums_lookup').on('jurisdiction_minimums').columns(['jurisdiction', 'effective_from']).execute();

  await d
    .addIdColumn(db.schema.createTable('platform_floors'), 'id')
    .addColumn('effective_from', 'text', (c) => c.notNull())
    .addColumn('hourly_minor', big, (c) => c.notNull().check(sql`hourly_minor >= 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_by', big)
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();

  await d
    .addIdColumn(db.schema.createTable('fx_rates'), 'id')
    .addColumn('base', 'text', (c) => c.notNull())
    .addColumn('quote', 'text', (c) => c.notNull())
    .addColumn('effective_from', 'text', (c) => c.notNull())
    // quote minor units = base minor units x num / den: exact, no floats near money.
    .addColumn('num', big, (c) => c.notNull().check(sql`num > 0`))
    .addColumn('den', big, (c) => c.notNull().check(sql`den > 0`))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_by', big)
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('fx_rates_lookup').on('fx_rates').columns(['base', 'quote', 'effective_from']).execute();

  await d
    .addIdColumn(db.schema.createTable('rate_cards'), 'id')
    .addColumn('project_id', big, (c) => c.notNull().references('projects.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('piece', 'hourly', 'piece_hourly_min')`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('piece_rate_minor', big, (c) => c.notNull().check(sql`piece_rate_minor >= 0`))
    .addColumn('hourly_minor', big, (c) => c.notNull().check(sql`hourly_minor >= 0`))
    // JSON array of time categories this card pays (always including the ones FAIRWORK makes paid).
    .addColumn('paid_categories', 'text', (c) => c.notNull())
    // Work claimed from this instant on is paid under this version (later than created_at for a decrease).
    .addColumn('effective_from', big, (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_by', big)
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rate_cards_version').unique().on('rate_cards').columns(['project_id', 'version']).execute();

  await d
    .addIdColumn(db.schema.createTable('activity_sessions'), 'id')
    .addColumn('worker_id', big, (c) => c.notNull().references('users.id'))
    .addColumn('project_id', big, (c) => c.references('projects.id'))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'ended')`))
    .addColumn('outcome', 'text')
    .addColumn('started_at', big, (c) => c.notNull())
    .addColumn('ended_at', big)
    .addColumn('active_ms', big, (c) => c.notNull().defaultTo(0))
    .addColumn('short_idle_ms', big, (c) => c.notNull().defaultTo(0))
    .addColumn('long_idle_ms', big, (c) => c.notNull().defaultTo(0))
    .addColumn('idle_streak_ms', big, (c) => c.notNull().defaultTo(0))
    .addColumn('last_signal_at', big, (c) => c.notNull())
    .addColumn('idle_grace_ms', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('activity_sessions_open').on('activity_sessions').columns(['status', 'last_signal_at']).execute();
  await db.schema.createIndex('activity_sessions_worker').on('activity_sessions').columns(['worker_id', 'status']).execute();

  await d
    .addIdColumn(db.schema.createTable('time_segments'), 'id')
    .addColumn('worker_id', big, (c) => c.notNull().references('users.id'))
    .addColumn('project_id', big)
    .addColumn('assignment_id', big)
    .addColumn('activity_id', big)
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('started_at', big, (c) => c.notNull())
    .addColumn('ended_at', big, (c) => c.notNull())
    .addColumn('ms', big, (c) => c.notNull().check(sql`ms >= 0`))
    // Counted in paid hours under the rate card the work was accepted under.
    .addColumn('paid', 'integer', (c) => c.notNull())
    .addColumn('rate_card_id', big)
    .addColumn('week_key', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('time_segments_week').on('time_segments').columns(['worker_id', 'week_key']).execute();
  await db.schema.createIndex('time_segments_assignment').on('time_segments').columns(['assignment_id']).execute();
  await db.schema.createIndex('time_segments_project').on('time_segments').columns(['project_id', 'week_key']).execute();

  await d
    .addIdColumn(db.schema.createTable('ledger_entries'), 'id')
    .addColumn('worker_id', big, (c) => c.notNull().references('users.id'))
    .addColumn('project_id', big)
    .addColumn('assignment_id', big)
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('piece', 'paid_time', 'bonus', 'floor_topup', 'overtime_premium', 'adjustment', 'appeal_restoration', 'reversal', 'payout')`),
    )
    .addColumn('amount_minor', big, (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('week_key', 'text', (c) => c.notNull())
    .addColumn('rate_card_id', big)
    .addColumn('decision_id', big)
    .addColumn('appeal_id', big)
    .addColumn('reverses_id', big)
    // Set on the entries a week close wrote (top-up, overtime, late adjustments, payout).
    .addColumn('close_id', big)
    // JSON: what the entry is for, e.g. {ms, rate_minor} for paid time, {week} for an adjustment.
    .addColumn('memo', 'text', (c) => c.notNull().defaultTo('{}'))
    // Makes every writer idempotent: a retried hook or job adds nothing twice.
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    // A person (user id) or a rule (rule id) made it.
    .addColumn('created_by', big)
    .addColumn('created_by_rule', 'text')
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_entries_week').on('ledger_entries').columns(['worker_id', 'week_key']).execute();
  await db.schema.createIndex('ledger_entries_assignment').on('ledger_entries').columns(['assignment_id', 'kind']).execute();
  await db.schema.createIndex('ledger_entries_project').on('ledger_entries').columns(['project_id', 'week_key']).execute();

  await d
    .addIdColumn(db.schema.createTable('week_closes'), 'id')
    .addColumn('seq', big, (c) => c.notNull().unique())
    .addColumn('worker_id', big, (c) => c.notNull().references('users.id'))
    .addColumn('week_key', 'text', (c) => c.notNull())
    .addColumn('week_start_at', big, (c) => c.notNull())
    .addColumn('week_end_at', big, (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('paid_ms', big, (c) => c.notNull())
    .addColumn('net_minor', big, (c) => c.notNull())
    .addColumn('required_minor', big, (c) => c.notNull())
    .addColumn('topup_minor', big, (c) => c.notNull())
    .addColumn('overtime_minor', big, (c) => c.notNull())
    .addColumn('adjustment_minor', big, (c) => c.notNull())
    // The canonical JSON that was hashed: everything the close computed and from what.
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('closed_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('week_closes_worker_week').unique().on('week_closes').columns(['worker_id', 'week_key']).execute();
  // Weeks closed before a floor was recorded: candidates for a late adjustment.
  await db.schema.createIndex('week_closes_worker_closed').on('week_closes').columns(['worker_id', 'closed_at']).execute();

  await db.schema
    .createTable('ledger_chain')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', big, (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await sql`INSERT INTO ledger_chain (id, seq, hash) VALUES (1, 0, ${'0'.repeat(64)})`.execute(db);

  await d
    .addIdColumn(db.schema.createTable('decisions'), 'id')
    // review_accept, review_revise, review_reject, audit_accept, audit_reject, auto_approve.
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('worker_id', big, (c) => c.notNull().references('users.id'))
    .addColumn('project_id', big)
    .addColumn('task_id', big)
    .addColumn('assignment_id', big)
    .addColumn('reason_code', 'text')
    .addColumn('text', 'text')
    .addColumn('evidence', 'text')
    .addColumn('decider_id', big)
    .addColumn('decider_rule', 'text')
    // effective, or pending_second (waits for a second person: mass-rejection brake, protected activity).
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('effective', 'pending_second')`))
    .addColumn('hold_reason', 'text')
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('decisions_worker').on('decisions').columns(['worker_id', 'created_at']).execute();
  await db.schema.createIndex('decisions_assignment').on('decisions').columns(['assignment_id']).execute();
  await db.schema.createIndex('decisions_project').on('decisions').columns(['project_id', 'created_at']).execute();

  await d
    .addIdColumn(db.schema.createTable('decision_confirmations'), 'id')
    .addColumn('decision_id', big, (c) => c.notNull().references('decisions.id'))
    .addColumn('confirmer_id', big, (c) => c.notNull().references('users.id'))
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('confirmed', 'overturned')`))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('decision_confirmations_decision').unique().on('decision_confirmations').columns(['decision_id']).execute();

  await d
    .addIdColumn(db.schema.createTable('sanctions'), 'id')
    .addColumn('worker_id', big, (c) => c.notNull().references('users.id'))
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('notice', 'warning', 'project_restriction', 'suspension', 'deactivation')`))
    .addColumn('project_id', big)
    .addColumn('reason_code', 'text', (c) => c.notNull())
    .addColumn('statement', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('decider_id', big, (c) => c.notNull().references('users.id'))
    // Suspension, deactivation and any adverse action within 90 days of protected activity wait for a second person.
    .addColumn('needs_confirmation', 'integer', (c) => c.notNull())
    .addColumn('hold_reason', 'text')
    .addColumn('second_reason', 'text')
    .addColumn('window_days', 'integer')
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sanctions_worker').on('sanctions').columns(['worker_id', 'created_at']).execute();

  await d
    .addIdColumn(db.schema.createTable('sanction_confirmations'), 'id')
    .addColumn('sanction_id', big, (c) => c.notNull().references('sanctions.id'))
    .addColumn('confirmer_id', big, (c) => c.notNull().references('users.id'))
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('confirmed', 'declined')`))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sanction_confirmations_sanction').unique().on('sanction_confirmations').columns(['sanction_id']).execute();

  await d
    .addIdColumn(db.schema.createTable('appeals'), 'id')
    .addColumn('worker_id', big, (c) => c.notNull().references('users.id'))
    .addColumn('subject_kind', 'text', (c) => c.notNull().check(sql`subject_kind in ('decision', 'sanction', 'quality_score', 'gold_item', 'time_record', 'payment')`))
    .addColumn('subject_id', big, (c) => c.notNull())
    .addColumn('project_id', big)
    // Who made the decision appealed against: never the one who hears the appeal.
    .addColumn('original_decider_id', big)
    .addColumn('is_money', 'integer', (c) => c.notNull())
    .addColumn('claimed_minor', big)
    .addColumn('currency', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('due_at', big)
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('appeals_worker').on('appeals').columns(['worker_id', 'id']).execute();
  await db.schema.createIndex('appeals_subject').on('appeals').columns(['subject_kind', 'subject_id']).execute();

  await d
    .addIdColumn(db.schema.createTable('appeal_events'), 'id')
    .addColumn('appeal_id', big, (c) => c.notNull().references('appeals.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('assigned', 'resolved')`))
    .addColumn('actor_id', big)
    .addColumn('actor_rule', 'text')
    .addColumn('assignee_id', big)
    .addColumn('outcome', 'text')
    .addColumn('text', 'text')
    .addColumn('restored_minor', big)
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('appeal_events_appeal').on('appeal_events').columns(['appeal_id', 'id']).execute();
  await db.schema.createIndex('appeal_events_assignee').on('appeal_events').columns(['assignee_id']).execute();
  // An appeal is resolved once: a second resolution (a race, a retried job) fails on this index.
  await sql`CREATE UNIQUE INDEX appeal_events_resolved ON appeal_events (appeal_id) WHERE kind = 'resolved'`.execute(db);

  await d
    .addIdColumn(db.schema.createTable('protected_activities'), 'id')
    .addColumn('worker_id', big, (c) => c.notNull().references('users.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('appeal', 'wage_question', 'complaint')`))
    .addColumn('ref_id', big)
    .addColumn('text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('protected_activities_worker').on('protected_activities').columns(['worker_id', 'created_at']).execute();

  await d
    .addIdColumn(db.schema.createTable('estimate_revisions'), 'id')
    .addColumn('project_id', big, (c) => c.notNull().references('projects.id'))
    .addColumn('submissions', big, (c) => c.notNull())
    .addColumn('median_ms', big, (c) => c.notNull())
    .addColumn('p75_ms', big, (c) => c.notNull())
    .addColumn('previous_seconds', big, (c) => c.notNull())
    .addColumn('estimated_seconds', big, (c) => c.notNull())
    .addColumn('piece_rate_minor', big, (c) => c.notNull())
    .addColumn('floor_hourly_minor', big, (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    // 1 when pay at the 75th percentile of actual time is below the floor: the project stops handing out work.
    .addColumn('below_floor', 'integer', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('estimate_revisions_project').on('estimate_revisions').columns(['project_id', 'id']).execute();

  await d
    .addIdColumn(db.schema.createTable('topup_acceptances'), 'id')
    .addColumn('project_id', big, (c) => c.notNull().references('projects.id'))
    .addColumn('accepted_by', big, (c) => c.notNull().references('users.id'))
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('topup_acceptances_project').on('topup_acceptances').columns(['project_id', 'id']).execute();

  for (const table of [
    'worker_pay_profiles',
    'jurisdiction_minimums',
    'platform_floors',
    'fx_rates',
    'rate_cards',
    'time_segments',
    'ledger_entries',
    'week_closes',
    'decisions',
    'decision_confirmations',
    'sanctions',
    'sanction_confirmations',
    'appeals',
    'appeal_events',
    'protected_activities',
    'estimate_revisions',
    'topup_acceptances',
  ]) {
    for (const statement of d.appendOnlyTriggerSql(table)) await sql.raw(statement).execute(db);
  }

  // Statutory minimums as published; each row names its source and the local date it took effect.
  // Recorded at time 0: they are public law, known to every week close whenever it runs.
  const seeded = 0;
  const minimums: [string, string, number, string, string][] = [
    ['US', '2009-07-24', 725, 'USD', '29 U.S.C. 206(a)(1)(C), Fair Labor Standards Act; https://www.dol.gov/agencies/whd/minimum-wage'],
    ['US-CA', '2024-01-01', 1600, 'USD', 'California Labor Code 1182.12; https://www.dir.ca.gov/dlse/faq_minimumwage.htm'],
    ['US-CA', '2025-01-01', 1650, 'USD', 'California Labor Code 1182.12; https://www.dir.ca.gov/dlse/faq_minimumwage.htm'],
    ['GB', '2024-04-01', 1144, 'GBP', 'National Living Wage (21 and over), National Minimum Wage (Amendment) Regulations 2024; https://www.gov.uk/national-minimum-wage-rates'],
    ['GB', '2025-04-01', 1221, 'GBP', 'National Living Wage (21 and over), National Minimum Wage (Amendment) Regulations 2025; https://www.gov.uk/national-minimum-wage-rates'],
    ['DE', '2024-01-01', 1241, 'EUR', 'Mindestlohngesetz (MiLoG) 1, Vierte Mindestlohnanpassungsverordnung; https://www.bmas.de/DE/Arbeit/Arbeitsrecht/Mindestlohn/mindestlohn.html'],
    ['DE', '2025-01-01', 1282, 'EUR', 'Mindestlohngesetz (MiLoG) 1, Vierte Mindestlohnanpassungsverordnung; https://www.bmas.de/DE/Arbeit/Arbeitsrecht/Mindestlohn/mindestlohn.html'],
    ['FR', '2024-01-01', 1165, 'EUR', 'SMIC horaire brut, Code du travail L3231-2, decret 2023-1216; https://travail-emploi.gouv.fr/le-salaire-minimum-interprofessionnel-de-croissance-smic'],
    ['FR', '2024-11-01', 1188, 'EUR', 'SMIC horaire brut, Code du travail L3231-2, decret 2024-951; https://travail-emploi.gouv.fr/le-salaire-minimum-interprofessionnel-de-croissance-smic'],
    ['JP-13', '2023-10-01', 1113, 'JPY', 'Tokyo regional minimum wage (Minimum Wages Act art. 9); https://jsite.mhlw.go.jp/tokyo-roudoukyoku/'],
    ['JP-13', '2024-10-01', 1163, 'JPY', 'Tokyo regional minimum wage (Minimum Wages Act art. 9); https://jsite.mhlw.go.jp/tokyo-roudoukyoku/'],
  ];
  for (const [jurisdiction, from, hourly, currency, source] of minimums) {
    await sql`INSERT INTO jurisdiction_minimums (jurisdiction, effective_from, hourly_minor, currency, source, created_at)
      VALUES (${jurisdiction}, ${from}, ${hourly}, ${currency}, ${source}, ${seeded})`.execute(db);
  }
  // The platform floor until an operator sets one: the US federal minimum, so no worker-week is without a floor.
  await sql`INSERT INTO platform_floors (effective_from, hourly_minor, currency, note, created_at)
    VALUES ('1970-01-01', 725, 'USD', 'default: the US federal minimum; set your own with PUT /v1/ledger/platform_floor', ${seeded})`.execute(db);
}
