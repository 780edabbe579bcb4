/** `npm run server`: the Temporal dev server alone, in the foreground, with its SQLite file. */
import { join } from 'node:path';
import { loadEnv } from '../config/env';
import { describeSqliteMode } from '../config/dev-sqlite';
import { requireBinary } from '../temporal/binaries';
import { runMain } from '../process/run-main';
import { startDevServer } from '../temporal/dev-server';
import { processLogger } from '../process/logger';

await runMain(async () => {
  const env = loadEnv();
  const logger = processLogger(env, 'server');
  const child = await startDevServer({
    cliPath: requireBinary('cli'),
    dbFile: join(env.INCIDENT_DATA_DIR, 'temporal.db'),
    sqlite: env.INCIDENT_DEV_SQLITE,
    port: env.TEMPORAL_PORT,
    uiPort: env.TEMPORAL_UI_PORT,
    namespace: env.TEMPORAL_NAMESPACE,
  });
  logger.info(
    `Temporal dev server on 127.0.0.1:${env.TEMPORAL_PORT}, Web UI http://localhost:${env.TEMPORAL_UI_PORT}, ${describeSqliteMode(env.INCIDENT_DEV_SQLITE)}`,
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill('SIGTERM'));
  await new Promise<void>((done) => child.on('exit', () => done()));
});
