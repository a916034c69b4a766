import SqliteDatabase from 'better-sqlite3';
import {
  type ColumnDataType,
  type CreateTableBuilder,
  Kysely,
  type LimitNode,
  type OffsetNode,
  type OperationNode,
  type PostgresCursor,
  type SelectModifierNode,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  sql,
  SqliteDialect,
  SqliteQueryCompiler,
  type Transaction,
  ValueNode,
} from 'kysely';
import pg from 'pg';
import { checkpointInBackground, FALLBACK_AUTOCHECKPOINT_PAGES } from './background-checkpoints.ts';
import { GroupCommitSqliteDriver } from './group-commit.ts';
import { mergedWrites } from './merged-writes.ts';
import { isWriteBehind, preparedTextNumber, runInTransactionsOf } from './prepared.ts';
import type { DB } from './schema.ts';

/** A column for bulk inserts: its name and the PostgreSQL array element type used to ship it. */
export interface BulkColumn {
  name: string;
  pgType: 'bigint' | 'integer' | 'text' | 'double precision';
}

/**
 * Everything that differs between SQLite and PostgreSQL. Modules ask for a capability;
 * they never test which database they run on.
 */
export interface DialectAdapter {
  readonly name: 'sqlite' | 'postgres';
  /** Column type for 64-bit integers (ids, milliseconds, money). */
  readonly bigint: ColumnDataType;
  /** Adds an auto-increment 64-bit integer primary key column. */
  addIdColumn<T extends string, C extends string>(table: CreateTableBuilder<T, C>, name: string): CreateTableBuilder<T, C>;
  /**
   * Inserts many rows in one round trip inside `trx`, skipping rows that hit the unique
   * constraint on `conflict`; returns the `returning` columns of the rows actually inserted.
   */
  insertManyIgnoringConflicts(
    trx: Transaction<DB>,
    table: keyof DB & string,
    columns: readonly BulkColumn[],
    rows: readonly unknown[][],
    conflict: readonly string[],
    returning: readonly string[],
  ): Promise<Record<string, unknown>[]>;
  /**
   * SQL suffix that row-locks what a SELECT returns and skips rows other transactions hold
   * (PostgreSQL `FOR UPDATE SKIP LOCKED`); empty on SQLite, whose writers are serialised.
   */
  readonly forUpdateSkipLocked: string;
  /** SQL suffix that row-locks what a SELECT returns (`FOR UPDATE`); empty on SQLite. */
  readonly forUpdate: string;
  /**
   * Whether a statement comparing a column with a bound value is planned once although a partial
   * index's condition names that column (PostgreSQL: the statement just cannot use that index).
   * SQLite plans such a statement again at every run, to see whether the value meets the condition.
   */
  readonly partialIndexPlannedOnce: boolean;
  /**
   * Whether a WITH may change rows and a statement return what it changed (PostgreSQL): then a
   * multi-step write can be one statement, one round trip, instead of a transaction of several.
   */
  readonly writableCte: boolean;
  /**
   * Whether a SELECT can return a whole row of any table as one JSON value (`row_to_json`, PostgreSQL),
   * where each statement is a network round trip: then reads that would each cost one ride along in one.
   */
  readonly rowToJson: boolean;
  /**
   * Statements that make `table` append-only: any UPDATE or DELETE (and TRUNCATE on PostgreSQL)
   * fails with an error whose message starts with `append_only`. Run them in a migration, in order.
   */
  appendOnlyTriggerSql(table: string): string[];
  /**
   * After a bulk load of `table`: gives the planner statistics that count the new rows. PostgreSQL plans
   * a fresh table's statements blind until ANALYZE runs (autovacuum, where it is on, gets there a minute
   * or more later): the work queue's statements then cost it a third more CPU. SQLite gets fixed
   * estimates instead (describeShape), which do not go stale as tables grow.
   */
  refreshStatistics(db: Kysely<DB>, table: keyof DB & string): Promise<void>;
  /**
   * Tells a planner that gathers no statistics of its own what `table` looks like once it is large:
   * `rows` in all and, per index, how many rows share one value of its first column, of its first
   * two, and so on. SQLite plans blind until someone runs ANALYZE, and blind it takes an equality on
   * any index's first column as selective: `task_id = ? AND status = 'submitted'` then walks every
   * submitted answer by status. On SQLite these are its sqlite_stat1 rows (a documented way to steer
   * its planner); PostgreSQL samples its tables itself (ANALYZE, autovacuum), so nothing.
   */
  describeShape(db: Kysely<unknown>, table: string, shape: { rows: number; indexes: Record<string, number[]> }): Promise<void>;
  /**
   * Runs `work` with every transaction that begins meanwhile treated as a bulkTransaction(): for the
   * migrator, whose one transaction may rewrite whole tables and cannot be asked to be bulk itself.
   */
  whileBulk<T>(work: () => Promise<T>): Promise<T>;
  /**
   * SQLite: waits for the end of this turn of the event loop, to run with the others of a cohort
   * (GroupCommitSqliteDriver.atEndOfTurn, afterThisTurn). PostgreSQL runs transactions side by side on
   * many connections: undefined, nothing to wait for.
   */
  atEndOfTurn(): Promise<void> | undefined;
  afterThisTurn(): Promise<void> | undefined;
  close(): Promise<void>;
}

export interface Database {
  db: Kysely<DB>;
  dialect: DialectAdapter;
}

// PostgreSQL returns int8 as strings by default; our int8 values (ids, ms, minor units) fit in 2^53.
pg.types.setTypeParser(20, (value: string) => Number(value));
// numeric/float8 likewise come back as numbers.
pg.types.setTypeParser(1700, (value: string) => Number(value));

/**
 * Opens SQLite (a file path or ':memory:') or PostgreSQL (a postgres:// URL). `checkpointInBackground`:
 * SQLite's WAL checkpoints run on a thread of their own (for a server; see background-checkpoints.ts).
 */
export function openDatabase(target: { sqliteFile: string; pageCacheMb?: number; checkpointInBackground?: boolean } | { postgresUrl: string; poolSize?: number }): Database {
  if ('sqliteFile' in target) return openSqlite(target.sqliteFile, { pageCacheMb: target.pageCacheMb ?? SERVER_PAGE_CACHE_MB, checkpointInBackground: target.checkpointInBackground });
  return openPostgres(target.postgresUrl, target.poolSize ?? 10);
}

const ROW_LOCKS = new Set(['ForUpdate', 'ForShare', 'ForKeyShare', 'ForNoKeyUpdate', 'SkipLocked', 'NoWait']);

/** Kysely's SQLite compiler, with two differences that let one query builder serve both databases. */
class SqliteCompiler extends SqliteQueryCompiler {
  /** Row locks are PostgreSQL's; SQLite serialises writers, so `.forUpdate()` and its kin are left out. */
  protected override visitSelectModifier(node: SelectModifierNode): void {
    if (node.modifier && ROW_LOCKS.has(node.modifier)) return;
    super.visitSelectModifier(node);
  }

  /**
   * SQLite re-plans a statement each time a value bound to its LIMIT or OFFSET is bound again (with
   * better-sqlite3's build, every run): a `LIMIT ?` made a one-row lookup several times slower. A whole
   * number there is written into the SQL instead.
   */
  protected override visitLimit(node: LimitNode): void {
    this.append('limit ');
    this.appendCount(node.limit);
  }

  protected override visitOffset(node: OffsetNode): void {
    this.append('offset ');
    this.appendCount(node.offset);
  }

  private appendCount(node: OperationNode): void {
    if (ValueNode.is(node) && Number.isSafeInteger(node.value)) this.append(String(node.value));
    else this.visitNode(node);
  }
}

/** Kysely's SQLite dialect with our compiler and a driver that commits in groups (group-commit.ts). */
class OurSqliteDialect extends SqliteDialect {
  #driver: GroupCommitSqliteDriver | undefined;

  constructor(private readonly raw: SqliteDatabase.Database) {
    super({ database: raw });
  }

  override createDriver() {
    this.#driver = new GroupCommitSqliteDriver(this.raw);
    return this.#driver;
  }

  override createAdapter() {
    const adapter = super.createAdapter();
    runInTransactionsOf(adapter, (compiled) => this.#driver?.runInTransaction(compiled));
    return adapter;
  }

  whileBulk<T>(work: () => Promise<T>): Promise<T> {
    return this.#driver ? this.#driver.whileBulk(work) : work();
  }

  betweenGroups(work: () => Promise<void>): Promise<void> {
    return this.#driver ? this.#driver.betweenGroups(work) : work();
  }

  atEndOfTurn(): Promise<void> | undefined {
    return this.#driver?.atEndOfTurn();
  }

  afterThisTurn(): Promise<void> | undefined {
    return this.#driver?.afterThisTurn();
  }

  override createQueryCompiler() {
    return new SqliteCompiler();
  }
}

/** SQLite's page cache for a server, which reads the same queue and index pages over and over. */
const SERVER_PAGE_CACHE_MB = 64;

function openSqlite(file: string, opts: { pageCacheMb: number; checkpointInBackground?: boolean }): Database {
  const raw = new SqliteDatabase(file);
  // WAL lets readers run beside the writer; NORMAL sync survives a killed process (not a power cut) at much lower cost.
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 10000');
  raw.pragma(`cache_size = -${Math.round(opts.pageCacheMb * 1024)}`);
  const ourDialect = new OurSqliteDialect(cachingPrepares(raw));
  const db = new Kysely<DB>({ dialect: ourDialect });
  const checkpoints = opts.checkpointInBackground ? checkpointInBackground(file, (work) => ourDialect.betweenGroups(work)) : undefined;
  if (checkpoints) raw.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  const statements = new Map<string, SqliteDatabase.Statement>();
  const dialect: DialectAdapter = {
    name: 'sqlite',
    bigint: 'integer',
    forUpdateSkipLocked: '',
    forUpdate: '',
    partialIndexPlannedOnce: false,
    writableCte: false,
    rowToJson: false,
    addIdColumn: (table, name) => table.addColumn(name, 'integer', (c) => c.primaryKey().autoIncrement()),
    refreshStatistics: async () => {},
    whileBulk: (work) => ourDialect.whileBulk(work),
    atEndOfTurn: () => ourDialect.atEndOfTurn(),
    afterThisTurn: () => ourDialect.afterThisTurn(),
    async describeShape(db, table, shape) {
      // ANALYZE of the schema table creates sqlite_stat1 without reading any table; ANALYZE of it again
      // afterwards makes this connection plan with the new rows (others read them when they open).
      await sql`ANALYZE sqlite_schema`.execute(db);
      await sql`DELETE FROM sqlite_stat1 WHERE tbl = ${table}`.execute(db);
      // Samples an earlier ANALYZE left (builds with STAT4) would contradict the new rows.
      const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM sqlite_schema WHERE name = 'sqlite_stat4'`.execute(db);
      if (rows[0].n > 0) await sql`DELETE FROM sqlite_stat4 WHERE tbl = ${table}`.execute(db);
      for (const [index, perColumns] of Object.entries(shape.indexes)) {
        await sql`INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (${table}, ${index}, ${[shape.rows, ...perColumns].join(' ')})`.execute(db);
      }
      await sql`ANALYZE sqlite_schema`.execute(db);
    },
    appendOnlyTriggerSql: (table) => [
      `CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table} BEGIN SELECT RAISE(ABORT, 'append_only: ${table} rows are never changed'); END`,
      `CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table} BEGIN SELECT RAISE(ABORT, 'append_only: ${table} rows are never deleted'); END`,
    ],
    async insertManyIgnoringConflicts(trx, table, columns, rows, conflict, returning) {
      if (!trx.isTransaction) throw new Error('insertManyIgnoringConflicts needs a transaction');
      // Plain run() rather than RETURNING: the row id comes back as lastInsertRowid at no cost.
      const text = `INSERT INTO ${table} (${columns.map((c) => c.name).join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT (${conflict.join(', ')}) DO NOTHING`;
      let statement = statements.get(text);
      if (!statement) {
        statement = raw.prepare(text);
        statements.set(text, statement);
      }
      // The Kysely transaction holds SQLite's only connection, so these synchronous statements run inside it.
      const inserted: Record<string, unknown>[] = [];
      const indexOf = new Map(columns.map((c, i) => [c.name, i]));
      for (const row of rows) {
        const result = statement.run(...(row as unknown[]));
        if (result.changes === 0) continue;
        const out: Record<string, unknown> = {};
        for (const name of returning) out[name] = name === 'id' ? Number(result.lastInsertRowid) : row[indexOf.get(name) as number];
        inserted.push(out);
      }
      return inserted;
    },
    async close() {
      await checkpoints?.stop();
      await db.destroy();
    },
  };
  return { db, dialect };
}

/**
 * The driver prepares every statement on every run, which costs as much as running it; the work
 * queue repeats the same few statements, so prepared statements are kept by their SQL text.
 * A statement still being iterated (a streamed query) is never handed out twice.
 */
function cachingPrepares(raw: SqliteDatabase.Database): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = (text: string) => {
    const known = cache.get(text);
    if (known && !known.busy) return known;
    const statement = raw.prepare(text);
    if (!known && cache.size < 1000) cache.set(text, statement);
    return statement;
  };
  return new Proxy(raw, {
    get(target, key) {
      if (key === 'prepare') return prepare;
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const OPENS_TRANSACTION = /^(begin|start transaction)\b/i;

/**
 * A pool whose connections send the SQL of prepared() as named statements: PostgreSQL parses and plans each
 * once per connection instead of on every run, which took a third off a primary-key lookup's round
 * trip here. Another node's migration may change what a cached `SELECT *` returns; PostgreSQL then
 * refuses it ("cached plan must not change result type"), so that error moves every name on (each
 * connection prepares afresh) and the one statement that met it fails.
 *
 * A transaction's BEGIN, and its writeBehind() statements, wait for its next statement and go out with
 * it in one write (the pool's clients run in pipeline mode): they cost no round trip of their own. The
 * first error among them is the one thrown; a statement after a failed one fails too, as it would have.
 * Held writes that touch different tables go as one statement (merged-writes.ts).
 * BEGIN cannot fail on a connection that can run the statement after it.
 */
function namingHotStatements(pool: pg.Pool): PostgresPool {
  let generation = 0;
  return {
    async connect() {
      const client = await pool.connect();
      const socket = (client as unknown as { connection: { stream: { cork(): void; uncork(): void } } }).connection.stream;
      let inTransaction = false;
      // BEGIN (first) and write-behind statements of the open transaction not sent yet.
      let held: Array<{ text: string; values?: readonly unknown[] }> = [];
      const send = (text: string, values?: readonly unknown[]) => {
        const number = preparedTextNumber(text);
        if (number === undefined) return client.query(text, values as unknown[]);
        const name = `tessera_${generation}_${number}`;
        return client.query({ name, text, values: values as unknown[] }).catch((error: { code?: string }) => {
          if (error.code === '0A000' && name.startsWith(`tessera_${generation}_`)) generation++;
          throw error;
        });
      };
      const answered = (command: string) => Promise.resolve({ command, rowCount: null, rows: [] });
      return {
        query(text: string | PostgresCursor<unknown>, values?: readonly unknown[]) {
          if (typeof text !== 'string') return client.query(text as never);
          if (OPENS_TRANSACTION.test(text)) {
            inTransaction = true;
            held = [{ text }];
            return answered('BEGIN');
          }
          if (inTransaction && isWriteBehind(text)) {
            held.push({ text, values });
            return answered('WRITE_BEHIND');
          }
          const ending = /^(commit|rollback)$/i.test(text);
          if (ending) inTransaction = false;
          if (held.length === 0) return send(text, values);
          const batch = held;
          held = [];
          const nothingSent = OPENS_TRANSACTION.test(batch[0].text);
          // A transaction the server never saw has nothing to roll back; a rollback drops unsent writes.
          if (/^rollback$/i.test(text)) return nothingSent ? answered('ROLLBACK') : send(text);
          if (ending && batch.length === 1 && nothingSent) return answered('COMMIT');
          socket.cork();
          try {
            const writes = mergedWrites(nothingSent ? batch.slice(1) : batch);
            const outgoing = nothingSent ? [batch[0], ...writes] : writes;
            const results = [...outgoing.map((s) => send(s.text, s.values)), send(text, values)];
            return Promise.all(results).then((all) => all[all.length - 1]);
          } finally {
            socket.uncork();
          }
        },
        release(destroy?: boolean) {
          inTransaction = false;
          held = [];
          client.release(destroy);
        },
      } as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}

function openPostgres(url: string, poolSize: number): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, pipeline: true });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: namingHotStatements(pool) }) });
  const dialect: DialectAdapter = {
    name: 'postgres',
    bigint: 'bigint',
    forUpdateSkipLocked: 'FOR UPDATE SKIP LOCKED',
    forUpdate: 'FOR UPDATE',
    partialIndexPlannedOnce: true,
    writableCte: true,
    rowToJson: true,
    addIdColumn: (table, name) => table.addColumn(name, 'bigserial', (c) => c.primaryKey()),
    refreshStatistics: async (db, table) => {
      await sql`ANALYZE ${sql.table(table)}`.execute(db);
    },
    describeShape: async () => {},
    whileBulk: (work) => work(),
    atEndOfTurn: () => undefined,
    afterThisTurn: () => undefined,
    appendOnlyTriggerSql: (table) => [
      // One shared function; CREATE OR REPLACE keeps the statement list safe to run for every table.
      `CREATE OR REPLACE FUNCTION tessera_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'append_only: % rows are never changed or deleted', TG_TABLE_NAME; END $$`,
      `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION tessera_append_only()`,
      `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION tessera_append_only()`,
    ],
    async insertManyIgnoringConflicts(trx, table, columns, rows, conflict, returning) {
      if (rows.length === 0) return [];
      // One parameter per column (an array), so a batch of thousands of rows is one short statement.
      const arrays = columns.map((_, i) => rows.map((row) => row[i] ?? null));
      const unnest = sql.join(columns.map((c, i) => sql`${arrays[i]}::${sql.raw(c.pgType)}[]`));
      const names = sql.raw(columns.map((c) => c.name).join(', '));
      const query = sql<Record<string, unknown>>`INSERT INTO ${sql.table(table)} (${names}) SELECT * FROM unnest(${unnest}) ON CONFLICT (${sql.raw(conflict.join(', '))}) DO NOTHING RETURNING ${sql.raw(returning.join(', '))}`;
      const result = await query.execute(trx);
      return result.rows;
    },
    async close() {
      await db.destroy();
    },
  };
  return { db, dialect };
}
