import SqliteDatabase from 'better-sqlite3';

/**
 * Folds a closed SQLite database's WAL into its file and removes the WAL, so that the file alone holds
 * the whole database and can be moved (renamed into place) without its WAL left behind.
 */
export function foldWalIntoFile(file: string): void {
  const raw = new SqliteDatabase(file);
  try {
    raw.pragma('journal_mode = DELETE');
  } finally {
    raw.close();
  }
}
