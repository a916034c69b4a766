import type SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, type Driver, type QueryResult, SelectQueryNode, type TransactionSettings } from 'kysely';

/** Hands the one connection to one caller at a time, in the order they asked. */
class FifoLock {
  #held = false;
  readonly #waiting: Array<() => void> = [];

  lock(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  unlock(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#held = false;
  }
}

/** Makes a row object from a statement's values in column order. */
type RowMaker = (values: unknown[]) => unknown;

const rowMakers = new WeakMap<SqliteDatabase.Statement, RowMaker | null>();

/**
 * Rows as object literals of one shape per statement, made from the values better-sqlite3 returns in
 * raw mode: its own row objects, built a property at a time, cost about as much again as reading the
 * row (a task's 35 columns: 10.5 us as objects, 6.5 us as values made into a literal). Duplicate column
 * names keep the last value, and a column named __proto__ sets the prototype, as in better-sqlite3's
 * objects. Null for a statement that returns no rows.
 */
function rowMakerOf(statement: SqliteDatabase.Statement): RowMaker | null {
  let maker = rowMakers.get(statement);
  if (maker !== undefined) return maker;
  maker = null;
  if (statement.reader) {
    const names = statement.columns().map((c) => c.name);
    statement.raw(true);
    maker = new Function('v', `return {${names.map((name, i) => `${JSON.stringify(name)}: v[${i}]`).join(', ')}};`) as RowMaker;
  }
  rowMakers.set(statement, maker);
  return maker;
}

function rowsOf<R>(statement: SqliteDatabase.Statement, parameters: unknown[]): R[] {
  const maker = rowMakerOf(statement);
  if (!maker) return statement.all(parameters) as R[];
  const values = statement.all(parameters) as unknown[][];
  const rows = new Array<R>(values.length);
  for (let i = 0; i < values.length; i++) rows[i] = maker(values[i]) as R;
  return rows;
}

/**
 * How many afterThisTurn() callers go at the end of one turn; the rest go at the end of the next. A claim
 * that arrives while a turn's submits run waits for all of them, so this bounds its wait (README: claim
 * p99 at 200 workers about halved). It costs throughput: each turn's group commits fewer transactions,
 * and a commit writes every page its group changed.
 */
export const AFTER_TURN_AT_MOST = 16;

/** Resolves every waiter in `queue`, emptying it. */
function letGo(queue: Array<() => void>): void {
  for (const resolve of queue.splice(0)) resolve();
}

const lostGroup = () => new Error('SQLite rolled back this group of transactions after an error');

/** One open SQLite transaction that the transactions of many requests join, and its commit. */
class Group {
  readonly committed: Promise<void>;
  resolve!: () => void;
  reject!: (error: unknown) => void;

  constructor() {
    this.committed = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // A group nobody waits on (its only transaction rolled back) must not fail the process.
    this.committed.catch(() => undefined);
  }
}

class GroupConnection implements DatabaseConnection {
  /** The commit this connection's last user must wait for before it may report success. */
  awaitCommit: Promise<void> | undefined;
  inTransaction = false;

  constructor(
    readonly raw: SqliteDatabase.Database,
    private readonly openGroup: () => Group | undefined,
  ) {}

  run(text: string): void {
    this.raw.prepare(text).run();
  }

  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    return Promise.resolve(this.runNow<R>(compiled));
  }

  runNow<R>(compiled: CompiledQuery): QueryResult<R> {
    const statement = this.raw.prepare(compiled.sql);
    const parameters = compiled.parameters as unknown[];
    if (statement.reader) return { rows: rowsOf<R>(statement, parameters) };
    const { changes, lastInsertRowid } = statement.run(parameters);
    // A write outside a transaction while a group is open becomes part of it: durable only with it.
    if (!this.inTransaction) this.awaitCommit = this.openGroup()?.committed ?? this.awaitCommit;
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(compiled.query)) throw new Error('Only SELECT queries can be streamed on SQLite');
    const statement = this.raw.prepare(compiled.sql);
    const maker = rowMakerOf(statement);
    for (const row of statement.iterate(compiled.parameters as unknown[])) yield { rows: [(maker ? maker(row as unknown[]) : row) as R] };
  }
}

/**
 * Kysely driver for better-sqlite3 that commits transactions in groups. SQLite writes every
 * commit to the WAL with its own locks and page frames, and on a busy server that was the single
 * dearest statement of a claim or a submit. Here a transaction is a SAVEPOINT inside one open
 * transaction (the group), which commits once the requests that arrived together have run (on
 * the next turn of the event loop). A transaction's caller, and the caller of any write outside
 * one, hears of success only after its group's COMMIT, so nothing reported done is ever lost; a
 * transaction that fails rolls back to its savepoint and leaves the rest of its group alone.
 * Reads see the group's work before it commits, as they would see it a moment later.
 */
export class GroupCommitSqliteDriver implements Driver {
  readonly #lock = new FifoLock();
  readonly #connection: GroupConnection;
  #group: Group | undefined;
  /** Callers of whileBulk() still running: while any is, every transaction begins as a bulk one. */
  #bulkCallers = 0;
  /** Callers of atEndOfTurn() and of afterThisTurn(), let go by the end of this turn (#scheduleTurnEnd). */
  #atEndOfTurn: Array<() => void> = [];
  #afterThisTurn: Array<() => void> = [];
  #turnEndScheduled = false;

  constructor(private readonly raw: SqliteDatabase.Database) {
    this.#connection = new GroupConnection(raw, () => this.#group);
  }

  async init(): Promise<void> {}

  /**
   * Runs a statement of the open transaction at once, or returns undefined when no transaction holds
   * the connection. The transaction's caller holds it (acquireConnection) from BEGIN to COMMIT, and
   * better-sqlite3 runs statements synchronously, so Kysely's per-statement hand-over adds nothing but
   * its promises (see prepared()).
   */
  runInTransaction<R>(compiled: CompiledQuery): QueryResult<R> | undefined {
    return this.#connection.inTransaction ? this.#connection.runNow<R>(compiled) : undefined;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#lock.lock();
    return this.#connection;
  }

  /**
   * Each transaction is a SAVEPOINT, and SQLite keeps the pages it changes as they were at the savepoint
   * in a journal of its own, to roll back to. That journal moves to a temporary file once it outgrows
   * 64 KiB, and stays there until the group commits: in a group of a hundred claims and submits every
   * page a later one changed cost a write to that file (a submit's update of its assignment under load:
   * 37 us, 24 us in memory). A group keeps it in memory (temp_store is read when the write transaction
   * begins, and set back at once, so sorts still spill to disk). A bulk transaction (bulkTransaction():
   * accessMode 'read write'), whose journal could hold a page for every row of a batch, gets a group of
   * its own with the journal on disk; anything that joins that group shares it.
   */
  async beginTransaction(connection: GroupConnection, settings: TransactionSettings = {}): Promise<void> {
    if (this.#group && !this.raw.inTransaction) this.#fail(this.#group);
    const bulk = settings.accessMode === 'read write' || this.#bulkCallers > 0;
    if (bulk && this.#group) this.#commit();
    if (!this.#group) {
      if (!bulk) connection.run('PRAGMA temp_store = MEMORY');
      // IMMEDIATE: the group takes the write lock at once, so no other process can slip a write
      // in between the group's reads and its writes.
      connection.run('BEGIN IMMEDIATE');
      if (!bulk) connection.run('PRAGMA temp_store = DEFAULT');
      this.#group = new Group();
      this.#scheduleTurnEnd();
    }
    connection.run('SAVEPOINT request');
    connection.inTransaction = true;
  }

  /** Runs `work` with every transaction that begins meanwhile treated as bulk (see beginTransaction). */
  async whileBulk<T>(work: () => Promise<T>): Promise<T> {
    this.#bulkCallers++;
    try {
      return await work();
    } finally {
      this.#bulkCallers--;
    }
  }

  /**
   * Runs `work` between two groups: the open group commits first (its callers hear so as at the end of
   * a turn), and no transaction, nor any statement outside one, runs on the connection until `work` is
   * done. The event loop goes on meanwhile; requests wait for the connection as for any transaction.
   */
  async betweenGroups(work: () => Promise<void>): Promise<void> {
    await this.#lock.lock();
    try {
      this.#commit();
      await work();
    } finally {
      this.#lock.unlock();
    }
  }

  /**
   * Cohorts: requests of one kind run back to back rather than interleaved with others as they arrive,
   * which made every part of a claim and a submit cheaper (same shares in CPU profiles; about a quarter more
   * claim + submit cycles per second at 200 workers, README). Callers of atEndOfTurn() run at the end of this
   * turn of the event loop, one after another, and commit with the turn's group; callers of afterThisTurn()
   * run once that group has committed, and form the next one. Claims take the first (a worker waiting for a
   * task has nothing to do meanwhile), submits the second, at most AFTER_TURN_AT_MOST of them per turn.
   */
  atEndOfTurn(): Promise<void> {
    return this.#waitForTurnEnd(this.#atEndOfTurn);
  }

  afterThisTurn(): Promise<void> {
    return this.#waitForTurnEnd(this.#afterThisTurn);
  }

  #waitForTurnEnd(queue: Array<() => void>): Promise<void> {
    return new Promise((resolve) => {
      queue.push(resolve);
      this.#scheduleTurnEnd();
    });
  }

  /**
   * The end of this turn: two callbacks of one check phase, the first letting the atEndOfTurn() callers
   * go (their transactions run in the microtasks between the two), the second committing the group and
   * letting the afterThisTurn() callers go.
   */
  #scheduleTurnEnd(): void {
    if (this.#turnEndScheduled) return;
    this.#turnEndScheduled = true;
    setImmediate(() => letGo(this.#atEndOfTurn));
    setImmediate(async () => {
      this.#turnEndScheduled = false;
      // Whoever asked for this turn's end after the first callback ran gets the next one.
      if (this.#atEndOfTurn.length) this.#scheduleTurnEnd();
      await this.#commitGroup();
      for (const resolve of this.#afterThisTurn.splice(0, AFTER_TURN_AT_MOST)) resolve();
      if (this.#afterThisTurn.length) this.#scheduleTurnEnd();
    });
  }

  async commitTransaction(connection: GroupConnection): Promise<void> {
    connection.run('RELEASE request');
    connection.inTransaction = false;
    connection.awaitCommit = this.#group?.committed;
  }

  async rollbackTransaction(connection: GroupConnection): Promise<void> {
    connection.inTransaction = false;
    // Some errors (a full disk, an I/O error) make SQLite roll back the whole group itself.
    if (!this.raw.inTransaction) return;
    connection.run('ROLLBACK TO request');
    connection.run('RELEASE request');
  }

  async savepoint(connection: GroupConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`SAVEPOINT "${name}"`));
  }

  async rollbackToSavepoint(connection: GroupConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`ROLLBACK TO "${name}"`));
  }

  async releaseSavepoint(connection: GroupConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`RELEASE "${name}"`));
  }

  async releaseConnection(connection: GroupConnection): Promise<void> {
    const commit = connection.awaitCommit;
    connection.awaitCommit = undefined;
    this.#lock.unlock();
    if (commit) await commit;
  }

  async destroy(): Promise<void> {
    await this.#commitGroup();
    this.raw.close();
  }

  /** A group SQLite rolled back by itself (after a full disk or an I/O error): its callers hear so. */
  #fail(group: Group): void {
    if (this.#group === group) this.#group = undefined;
    group.reject(lostGroup());
  }

  /** Commits the open group (waiting for a transaction in progress), then tells its callers. */
  async #commitGroup(): Promise<void> {
    await this.#lock.lock();
    try {
      this.#commit();
    } finally {
      this.#lock.unlock();
    }
  }

  /** Commits the open group, if any, and tells its callers; the caller holds the connection. */
  #commit(): void {
    const group = this.#group;
    this.#group = undefined;
    if (!group) return;
    try {
      if (!this.raw.inTransaction) throw lostGroup();
      this.#connection.run('COMMIT');
      group.resolve();
    } catch (error) {
      if (this.raw.inTransaction) this.#connection.run('ROLLBACK');
      group.reject(error);
    }
  }
}
