/**
 * The fair-work ledger (shared/FAIRWORK.md): time segments, rate cards, the append-only ledger,
 * jurisdiction minimums and the platform floor, week closes chained by hash, decisions, appeals,
 * sanctions and reports. Other modules import only from here.
 */
export { ledgerRoutes } from './ledger.routes.ts';
export { type KnownLedgerRows, knownAccountColumn, knownLatestCard, latestCardIdColumn, pieceBookedColumn, recordAssignmentEnded, withKnownAccount } from './pay.service.ts';
export { checkClaimAllowed, type ClaimFlags, claimFlagColumns, claimFlagsClear, claimFlagsOf } from './claim-guard.service.ts';
export { recordAuditDecision, recordReviewDecision } from './decisions.service.ts';
export { closeDueWeeks, verifyChain, chainHead, CLOSE_GRACE_MS } from './week-close.service.ts';
export { exportRecords, type RecordsManifest } from './records.service.ts';
export { expireStaleActivities } from './activity.service.ts';
export { resolveOverdueAppeals } from './appeals.service.ts';
export { approveDueReviews } from './decisions.service.ts';
export { payStatus, pricingStop, reviseEstimates } from './estimates.service.ts';
export { ledgerJobs } from './jobs.ts';
export type { LedgerTables } from './ledger.schema.ts';
