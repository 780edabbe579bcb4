/**
 * How the dev server's SQLite file commits (INCIDENT_DEV_SQLITE), as `--sqlite-pragma` flags:
 *
 * - `wal` (default): write-ahead log, `synchronous=normal`. A commit is one append to the log,
 *   synced only at checkpoints: a killed or crashed server loses nothing (the log is in the OS),
 *   a power cut or kernel crash can lose the last transactions before the last sync (the file
 *   stays consistent). 1.6-3× the storm's alert rate of `rollback` (docs/benchmarks.md).
 * - `wal-full`: write-ahead log, `synchronous=full`: one fsync per commit, survives a power cut.
 * - `rollback`: the CLI's own default (rollback journal, SQLite's `synchronous=full`): what
 *   `npm start` ran before. Set explicitly as `journal_mode=delete`, because WAL is a property of
 *   the file: a file once opened in WAL stays in WAL until told otherwise.
 */
export const DEV_SQLITE_MODES = {
  wal: { journal_mode: 'wal', synchronous: 'normal' },
  'wal-full': { journal_mode: 'wal', synchronous: 'full' },
  rollback: { journal_mode: 'delete' },
} as const satisfies Record<string, Record<string, string>>;
export type DevSqliteMode = keyof typeof DEV_SQLITE_MODES;
export const DEFAULT_DEV_SQLITE_MODE: DevSqliteMode = 'wal';

/** The `--sqlite-pragma` flags of a mode. */
export function sqlitePragmaArgs(mode: DevSqliteMode = DEFAULT_DEV_SQLITE_MODE): string[] {
  return Object.entries(DEV_SQLITE_MODES[mode]).flatMap(([pragma, value]) => [
    '--sqlite-pragma',
    `${pragma}=${value}`,
  ]);
}

/** One phrase for logs: how the file commits. */
export function describeSqliteMode(mode: DevSqliteMode = DEFAULT_DEV_SQLITE_MODE): string {
  const pragmas = Object.entries(DEV_SQLITE_MODES[mode]).map(([pragma, value]) => `${pragma}=${value}`);
  return `SQLite ${mode} (${pragmas.join(', ')})`;
}
