import type { Generated } from 'kysely';

/*
 * Table types of migration 0006-ledger, as stored (snake_case; money in minor units, time in ms,
 * week keys as local YYYY-MM-DD dates, JSON as text). `LedgerTables` is what src/db/schema.ts's `DB`
 * extends; this file imports nothing else so the database layer can depend on it.
 */

export interface LedgerAccountsTable {
  worker_id: number;
  timezone: string;
  week_start_day: Generated<number>;
  closed_through: string | null;
  next_open_week: string | null;
  created_at: number;
}

export interface WorkerPayProfilesTable {
  id: Generated<number>;
  worker_id: number;
  jurisdiction: string | null;
  engagement: 'contractor' | 'employee';
  currency: string;
  timezone: string;
  week_start_day: number;
  created_by: number | null;
  created_at: number;
}

export interface JurisdictionMinimumsTable {
  id: Generated<number>;
  jurisdiction: string;
  effective_from: string;
  hourly_minor: number;
  currency: string;
  source: string;
  created_by: number | null;
  created_at: number;
}

export interface PlatformFloorsTable {
  id: Generated<number>;
  effective_from: string;
  hourly_minor: number;
  currency: string;
  note: Generated<string>;
  created_by: number | null;
  created_at: number;
}

export interface FxRatesTable {
  id: Generated<number>;
  base: string;
  quote: string;
  effective_from: string;
  num: number;
  den: number;
  source: string;
  created_by: number | null;
  created_at: number;
}

export interface RateCardsTable {
  id: Generated<number>;
  project_id: number;
  version: number;
  kind: 'piece' | 'hourly' | 'piece_hourly_min';
  currency: string;
  piece_rate_minor: number;
  hourly_minor: number;
  paid_categories: string;
  effective_from: number;
  reason: string;
  created_by: number | null;
  created_at: number;
}

export interface ActivitySessionsTable {
  id: Generated<number>;
  worker_id: number;
  project_id: number | null;
  category: string;
  status: 'open' | 'ended';
  outcome: string | null;
  started_at: number;
  ended_at: number | null;
  active_ms: Generated<number>;
  short_idle_ms: Generated<number>;
  long_idle_ms: Generated<number>;
  idle_streak_ms: Generated<number>;
  last_signal_at: number;
  idle_grace_ms: number;
}

export interface TimeSegmentsTable {
  id: Generated<number>;
  worker_id: number;
  project_id: number | null;
  assignment_id: number | null;
  activity_id: number | null;
  category: string;
  started_at: number;
  ended_at: number;
  ms: number;
  paid: number;
  rate_card_id: number | null;
  week_key: string;
  created_at: number;
}

export interface LedgerEntriesTable {
  id: Generated<number>;
  worker_id: number;
  project_id: number | null;
  assignment_id: number | null;
  kind: 'piece' | 'paid_time' | 'bonus' | 'floor_topup' | 'overtime_premium' | 'adjustment' | 'appeal_restoration' | 'reversal' | 'payout';
  amount_minor: number;
  currency: string;
  week_key: string;
  rate_card_id: number | null;
  decision_id: number | null;
  appeal_id: number | null;
  reverses_id: number | null;
  close_id: number | null;
  memo: Generated<string>;
  dedupe_key: string;
  created_by: number | null;
  created_by_rule: string | null;
  created_at: number;
}

export interface WeekClosesTable {
  id: Generated<number>;
  seq: number;
  worker_id: number;
  week_key: string;
  week_start_at: number;
  week_end_at: number;
  currency: string;
  paid_ms: number;
  net_minor: number;
  required_minor: number;
  topup_minor: number;
  overtime_minor: number;
  adjustment_minor: number;
  payload: string;
  prev_hash: string;
  hash: string;
  closed_at: number;
}

export interface LedgerChainTable {
  id: number;
  seq: number;
  hash: string;
}

export interface DecisionsTable {
  id: Generated<number>;
  kind: string;
  worker_id: number;
  project_id: number | null;
  task_id: number | null;
  assignment_id: number | null;
  reason_code: string | null;
  text: string | null;
  evidence: string | null;
  decider_id: number | null;
  decider_rule: string | null;
  status: 'effective' | 'pending_second';
  hold_reason: string | null;
  created_at: number;
}

export interface DecisionConfirmationsTable {
  id: Generated<number>;
  decision_id: number;
  confirmer_id: number;
  outcome: 'confirmed' | 'overturned';
  text: string;
  created_at: number;
}

export interface SanctionsTable {
  id: Generated<number>;
  worker_id: number;
  level: 'notice' | 'warning' | 'project_restriction' | 'suspension' | 'deactivation';
  project_id: number | null;
  reason_code: string;
  statement: string;
  evidence: string;
  decider_id: number;
  needs_confirmation: number;
  hold_reason: string | null;
  second_reason: string | null;
  window_days: number | null;
  created_at: number;
}

export interface SanctionConfirmationsTable {
  id: Generated<number>;
  sanction_id: number;
  confirmer_id: number;
  outcome: 'confirmed' | 'declined';
  text: string;
  created_at: number;
}

export interface AppealsTable {
  id: Generated<number>;
  worker_id: number;
  subject_kind: 'decision' | 'sanction' | 'quality_score' | 'gold_item' | 'time_record' | 'payment';
  subject_id: number;
  project_id: number | null;
  original_decider_id: number | null;
  is_money: number;
  claimed_minor: number | null;
  currency: string | null;
  text: string;
  due_at: number | null;
  created_at: number;
}

export interface AppealEventsTable {
  id: Generated<number>;
  appeal_id: number;
  kind: 'assigned' | 'resolved';
  actor_id: number | null;
  actor_rule: string | null;
  assignee_id: number | null;
  outcome: string | null;
  text: string | null;
  restored_minor: number | null;
  created_at: number;
}

export interface ProtectedActivitiesTable {
  id: Generated<number>;
  worker_id: number;
  kind: 'appeal' | 'wage_question' | 'complaint';
  ref_id: number | null;
  text: Generated<string>;
  created_at: number;
}

export interface EstimateRevisionsTable {
  id: Generated<number>;
  project_id: number;
  submissions: number;
  median_ms: number;
  p75_ms: number;
  previous_seconds: number;
  estimated_seconds: number;
  piece_rate_minor: number;
  floor_hourly_minor: number;
  currency: string;
  below_floor: number;
  created_at: number;
}

export interface TopupAcceptancesTable {
  id: Generated<number>;
  project_id: number;
  accepted_by: number;
  created_at: number;
}

/** The ledger's tables; add these keys to `DB` in src/db/schema.ts. */
export interface LedgerTables {
  ledger_accounts: LedgerAccountsTable;
  worker_pay_profiles: WorkerPayProfilesTable;
  jurisdiction_minimums: JurisdictionMinimumsTable;
  platform_floors: PlatformFloorsTable;
  fx_rates: FxRatesTable;
  rate_cards: RateCardsTable;
  activity_sessions: ActivitySessionsTable;
  time_segments: TimeSegmentsTable;
  ledger_entries: LedgerEntriesTable;
  week_closes: WeekClosesTable;
  ledger_chain: LedgerChainTable;
  decisions: DecisionsTable;
  decision_confirmations: DecisionConfirmationsTable;
  sanctions: SanctionsTable;
  sanction_confirmations: SanctionConfirmationsTable;
  appeals: AppealsTable;
  appeal_events: AppealEventsTable;
  protected_activities: ProtectedActivitiesTable;
  estimate_revisions: EstimateRevisionsTable;
  topup_acceptances: TopupAcceptancesTable;
}

