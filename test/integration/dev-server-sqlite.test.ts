import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { loadEnv } from '../../src/config/env';
import type { DevSqliteMode } from '../../src/config/dev-sqlite';
import { devServerArgs, startDevServer } from '../../src/temporal/dev-server';
import { requireBinary } from '../../src/temporal/binaries';
import { freePort } from '../helpers/processes';
import { tempDir } from '../helpers/temporal';

/**
 * Bytes 18 and 19 of an SQLite file's header are its write and read format versions: 1 for a
 * rollback journal, 2 for WAL (sqlite.org/fileformat.html, "The Database Header"). Read from the
 * file itself, so this checks what the server did to it, not what we asked for.
 */
async function headerJournal(file: string): Promise<'wal' | 'rollback'> {
  const handle = await open(file, 'r');
  try {
    const header = Buffer.alloc(100);
    await handle.read(header, 0, 100, 0);
    assert.equal(header.subarray(0, 16).toString('latin1'), 'SQLite format 3\0', `${file} is an SQLite file`);
    assert.equal(header[18], header[19], 'read and write versions agree');
    return header[18] === 2 ? 'wal' : 'rollback';
  } finally {
    await handle.close();
  }
}

/**
 * The dev server as `npm start` runs it (startDevServer, the mode from INCIDENT_DEV_SQLITE): the
 * pragmas reach the SQLite file. In WAL the server writes a `-wal` log beside the file while it
 * runs and the file's header says WAL; `rollback` turns the same file back.
 */
describe('dev server SQLite settings', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('defaults to WAL with synchronous=normal, and INCIDENT_DEV_SQLITE chooses another mode', () => {
    assert.equal(loadEnv({}).INCIDENT_DEV_SQLITE, 'wal');
    assert.equal(loadEnv({ INCIDENT_DEV_SQLITE: 'rollback' }).INCIDENT_DEV_SQLITE, 'rollback');
    assert.throws(
      () => loadEnv({ INCIDENT_DEV_SQLITE: 'fast' }),
      /INCIDENT_DEV_SQLITE: .*fix: use wal \(default\), wal-full/,
    );
    const args = (sqlite?: DevSqliteMode) =>
      devServerArgs({ cliPath: 'temporal', dbFile: 'x.db', port: 1, uiPort: 2, sqlite }).join(' ');
    assert.match(args(), /--sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal/);
    assert.match(args('wal-full'), /--sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=full/);
    assert.match(args('rollback'), /--sqlite-pragma journal_mode=delete/);
    assert.doesNotMatch(args('rollback'), /synchronous/);
  });

  it(
    'writes the file in WAL by default and back in a rollback journal with rollback',
    { timeout: 180_000 },
    async () => {
      const dir = await tempDir('dev-sqlite-');
      cleanups.push(dir.cleanup);
      const dbFile = join(dir.path, 'temporal.db');
      let server: ChildProcess | undefined;
      const stop = async () => {
        const child = server;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      };
      cleanups.push(stop);
      const run = async (sqlite: DevSqliteMode, whileRunning: () => void) => {
        const [port, uiPort] = [await freePort(), await freePort()];
        server = await startDevServer(
          { cliPath: requireBinary('cli'), dbFile, port, uiPort, sqlite, stdio: 'ignore' },
          60_000,
        );
        // A write through the server: registering a namespace is a transaction on the file.
        const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
        try {
          await connection.workflowService.registerNamespace({
            namespace: `sqlite-${sqlite}`,
            workflowExecutionRetentionPeriod: msToTs('1 day'),
          });
        } finally {
          await connection.close();
        }
        whileRunning();
        await stop();
      };

      await run(loadEnv({}).INCIDENT_DEV_SQLITE, () =>
        assert.ok(existsSync(`${dbFile}-wal`), 'the server keeps a -wal log beside the file while it runs'),
      );
      assert.equal(await headerJournal(dbFile), 'wal');

      await run('rollback', () =>
        assert.ok(!existsSync(`${dbFile}-wal`), 'no -wal log in rollback-journal mode'),
      );
      assert.equal(await headerJournal(dbFile), 'rollback');
    },
  );
});
