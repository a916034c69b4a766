import type { Compilable, CompiledQuery, Kysely, QueryResult, RawBuilder } from 'kysely';

/** Stands for an argument of a prepared query (or one field of it) while the query is built. */
class Slot {
  constructor(
    readonly index: number,
    readonly field?: string,
  ) {}
}

/** The SQL texts prepared() compiled, by the order they were first seen: a database may keep them ready. */
const preparedTexts = new Map<string, number>();

/** A short stable number for SQL prepared() compiled, or undefined for any other text. */
export function preparedTextNumber(text: string): number | undefined {
  return preparedTexts.get(text);
}

/** Has a text made of prepared ones (merged-writes.ts) kept ready as well. */
export function keepReady(text: string): void {
  if (!preparedTexts.has(text)) preparedTexts.set(text, preparedTexts.size);
}

/** The SQL texts of writeBehind() statements, and of the other prepared() ones. */
const writeBehindTexts = new Set<string>();
const readTexts = new Set<string>();

/** Whether nobody reads what this statement returns (writeBehind), so a database may send it later. */
export function isWriteBehind(text: string): boolean {
  return writeBehindTexts.has(text);
}

/** Per dialect adapter (one per database handle): runs a statement of an open transaction at once, if it can. */
const transactionRunners = new WeakMap<object, (compiled: CompiledQuery) => QueryResult<unknown> | undefined>();

/**
 * Lets prepared() run statements inside a transaction of this database without Kysely's per-statement
 * promise chain (some ten promises per statement). `run` answers undefined
 * when it cannot (the statement then goes through Kysely).
 */
export function runInTransactionsOf(adapter: object, run: (compiled: CompiledQuery) => QueryResult<unknown> | undefined): void {
  transactionRunners.set(adapter, run);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** What `build` receives for an argument: a stand-in, or for a plain object one stand-in per field. */
function standIn(value: unknown, index: number): unknown {
  if (!isRecord(value)) return new Slot(index);
  return Object.fromEntries(Object.keys(value).map((field) => [field, new Slot(index, field)]));
}

/**
 * A query (builder or `sql` template) built and compiled once per dialect, then run with new values.
 * Building and compiling a Kysely query on every call cost more CPU than running it, so the statements
 * of every claim and submit use this. `build` receives stand-ins for the arguments; a plain-object
 * argument (the row of an insert, the changes of an update) becomes one stand-in per field and must
 * have the same fields on every call. Use stand-ins only where a value goes (a comparison, a SET, a
 * VALUES), never where the query's shape depends on a value (an `in` list, a branch, an `is null`).
 */
export function prepared<S, Args extends unknown[], Row>(build: (db: Kysely<S>, ...values: Args) => Compilable<Row> | RawBuilder<Row>, writesBehind = false) {
  const compiled = new Map<unknown, CompiledQuery<Row>>();
  return (db: Kysely<S>, ...args: Args): Promise<QueryResult<Row>> => {
    // A transaction is a new Kysely object each time, but every handle of one dialect shares its adapter's class.
    const { adapter } = db.getExecutor();
    const dialect = adapter.constructor;
    let query = compiled.get(dialect);
    if (!query) {
      const built = build(db, ...(args.map(standIn) as Args));
      query = 'isRawBuilder' in built ? built.compile(db) : built.compile();
      const expected = args.reduce<number>((n, a) => n + (isRecord(a) ? Object.keys(a).length : 1), 0);
      const used = new Set(query.parameters.filter((p) => p instanceof Slot).map((p) => `${(p as Slot).index}.${(p as Slot).field}`));
      if (used.size !== expected) throw new Error(`a prepared query must use each of its ${expected} values as a value, it uses ${used.size}: ${query.sql}`);
      // A text is known as written behind or not: the same text both ways would send a read behind.
      if ((writesBehind ? readTexts : writeBehindTexts).has(query.sql)) throw new Error(`a statement is prepared both as writeBehind and not: ${query.sql}`);
      (writesBehind ? writeBehindTexts : readTexts).add(query.sql);
      compiled.set(dialect, query);
      keepReady(query.sql);
    }
    const parameters = query.parameters.map((p) => {
      if (!(p instanceof Slot)) return p;
      const value = p.field === undefined ? args[p.index] : (args[p.index] as Record<string, unknown>)[p.field];
      return value === undefined ? null : value;
    });
    const ready = { ...query, parameters };
    const run = db.isTransaction ? transactionRunners.get(adapter) : undefined;
    if (run) {
      try {
        const result = run(ready);
        if (result) return Promise.resolve(result as QueryResult<Row>);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return db.executeQuery<Row>(ready);
  };
}

/**
 * A prepared write whose result nobody reads. On PostgreSQL, inside a transaction, it goes out with
 * the transaction's next statement (or its COMMIT) instead of taking a round trip of its own, and an
 * error it meets is thrown by that next statement. Elsewhere it runs at once. For writes whose failure
 * nobody handles in between: an upsert, an append, a counter.
 */
export function writeBehind<S, Args extends unknown[]>(build: (db: Kysely<S>, ...values: Args) => Compilable<unknown> | RawBuilder<unknown>) {
  const run = prepared(build, true);
  return async (db: Kysely<S>, ...args: Args): Promise<void> => {
    await run(db, ...args);
  };
}
