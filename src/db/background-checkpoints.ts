import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the checkpoint thread copies committed WAL pages into the database file. */
const CHECKPOINT_EVERY_MS = 20;

/**
 * Pages the serving connection lets its WAL reach before it checkpoints by itself: only when the
 * thread has stopped or fallen behind (it normally keeps the WAL far below this).
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

/**
 * WAL length, in pages, at which the thread asks the server for a pause between two groups of
 * transactions. SQLite starts the WAL over only when a write transaction begins with every page of it
 * already copied, and under steady load a new group has always committed since the thread's last copy,
 * so without that pause the WAL grew until the serving connection checkpointed it by itself.
 */
export const RESTART_WAL_AT_PAGES = 7_000;

/** How long the server waits for the thread to finish its copy before it goes on regardless. */
const CATCH_UP_AT_MOST_MS = 1_000;

// The thread's code, run as a script (no loader hooks in a worker): a connection of its own that runs
// PASSIVE checkpoints, which never wait for the writer nor make it wait. Once the WAL is long it asks
// the server once for a pause ('restart-wanted'); during it (a numbered request) it copies the rest
// and answers with the same number.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 0');
let askAt = workerData.restartAt;
let asked = false;
function checkpoint() {
  try { return db.pragma('wal_checkpoint(PASSIVE)')[0]; } catch { return undefined; }
}
const timer = setInterval(() => {
  const done = checkpoint();
  if (done && done.log < workerData.restartAt) askAt = workerData.restartAt;
  if (done && !asked && done.log >= askAt) {
    asked = true;
    parentPort.postMessage('restart-wanted');
  }
}, workerData.everyMs);
parentPort.on('message', (message) => {
  if (typeof message === 'number') {
    const done = checkpoint();
    const complete = done !== undefined && done.busy === 0 && done.log === done.checkpointed;
    // The WAL starts over with the server's next write: until then it stays as long as it is, and must
    // not be asked about again. A reader of an older snapshot (a streamed export) can keep the copy from
    // completing: then ask again only once the WAL has grown as much again, not on every tick.
    askAt = (done ? done.log : 0) + (complete ? 1 : workerData.restartAt);
    asked = false;
    parentPort.postMessage(message);
    return;
  }
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface BackgroundCheckpoints {
  stop(): Promise<void>;
}

/**
 * Runs `work` while no transaction of the serving connection is open and none may begin: the
 * database's driver provides it (GroupCommitSqliteDriver.betweenGroups).
 */
export type BetweenGroups = (work: () => Promise<void>) => Promise<void>;

/**
 * Runs the WAL checkpoints of a SQLite database on a thread of its own. SQLite otherwise checkpoints
 * inside the COMMIT that crosses its threshold (every 1,000 pages): on a busy server that copy and its
 * fsync ran on the one thread that serves every request. When the WAL passes RESTART_WAL_AT_PAGES
 * the server pauses its transactions (not its event loop) for the thread to copy the last pages, so
 * the next transaction starts the WAL over. The serving connection keeps a far higher threshold
 * (FALLBACK_AUTOCHECKPOINT_PAGES) in case this thread stops.
 */
export function checkpointInBackground(file: string, betweenGroups: BetweenGroups): BackgroundCheckpoints {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(THREAD, { eval: true, workerData: { file, driver, everyMs: CHECKPOINT_EVERY_MS, restartAt: RESTART_WAL_AT_PAGES } });
  let running = true;
  let requests = 0;
  let caughtUp: ((request?: number) => void) | undefined;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  void exited.then(() => {
    running = false;
    caughtUp?.();
  });
  // A thread that fails leaves the serving connection's own checkpoints in charge.
  worker.on('error', () => undefined);
  const catchUp = () =>
    new Promise<void>((resolve) => {
      if (!running) return resolve();
      const request = ++requests;
      const timer = setTimeout(() => caughtUp?.(), CATCH_UP_AT_MOST_MS).unref();
      // The answer to a request given up on (timed out) must not end a later one.
      caughtUp = (answered = request) => {
        if (answered !== request) return;
        clearTimeout(timer);
        caughtUp = undefined;
        resolve();
      };
      worker.postMessage(request);
    });
  worker.on('message', (message) => {
    if (message === 'restart-wanted') void betweenGroups(catchUp).catch(() => undefined);
    else if (typeof message === 'number') caughtUp?.(message);
  });
  worker.unref();
  return {
    async stop() {
      // Waited for, the thread must keep the process alive: unreferenced, a process with nothing else
      // left to do would end mid-await (exit code 13) instead of going on after the close.
      worker.ref();
      if (running) worker.postMessage('stop');
      await exited;
    },
  };
}
