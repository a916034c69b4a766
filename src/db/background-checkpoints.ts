import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the checkpoint thread copies committed WAL pages into the database file. */
const CHECKPOINT_EVERY_MS = 20;

/**
 * Pages the serving connection lets its WAL reach before it checkpoints by itself: only when the
 * thread has stopped or fallen behind (it normally keeps the WAL far below this).
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

// The thread's code, run as a script (no loader hooks in a worker): a connection of its own that runs
// PASSIVE checkpoints, which never wait for the writer nor make it wait.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
}, workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

export interface BackgroundCheckpoints {
  stop(): Promise<void>;
}

/**
 * Runs the WAL checkpoints of a SQLite database on a thread of its own. SQLite otherwise checkpoints
 * inside the COMMIT that crosses its threshold (every 1,000 pages): on a busy server that copy and its
 * fsync ran on the one thread that serves every request. The serving connection keeps a far higher
 * threshold (FALLBACK_AUTOCHECKPOINT_PAGES) in case this thread stops.
 */
export function checkpointInBackground(file: string): BackgroundCheckpoints {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(THREAD, { eval: true, workerData: { file, driver, everyMs: CHECKPOINT_EVERY_MS } });
  let running = true;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  void exited.then(() => (running = false));
  // A thread that fails leaves the serving connection's own checkpoints in charge.
  worker.on('error', () => undefined);
  worker.unref();
  return {
    async stop() {
      if (running) worker.postMessage('stop');
      await exited;
    },
  };
}
