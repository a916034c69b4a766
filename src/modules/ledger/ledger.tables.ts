import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/index.ts';
import type { LedgerTables } from './ledger.schema.ts';

export type * from './ledger.schema.ts';

/** The database as the ledger sees it (DB extends LedgerTables; the alias keeps the ledger's signatures short). */
export type LedgerDB = DB & LedgerTables;
export type LedgerHandle = Kysely<LedgerDB>;

/** The same handle (database or transaction), typed to see the ledger's tables. */
export function ledgerDb(db: Kysely<DB> | Transaction<DB>): Kysely<LedgerDB> {
  return db as unknown as Kysely<LedgerDB>;
}

/** A ledger handle as other modules' functions take it (they see only their own tables). */
export function coreDb(db: Kysely<LedgerDB>): Kysely<DB> {
  return db as unknown as Kysely<DB>;
}
