/**
 * A worker in its own process, for tests that SIGKILL it mid-step:
 *   node --import tsx test/helpers/rollback-worker-process.ts <address> <taskQueue> <configJson>
 * Prints "ready" once polling. `configJson` is the engine config (target, incidentsDir).
 */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { parseEngineConfig } from '../../src/config/engine-config';
import { createIncidentWorker } from '../../src/worker/create-worker';

Runtime.install({ logger: new DefaultLogger('ERROR') });
const [address, taskQueue, configJson] = process.argv.slice(2);
const config = parseEngineConfig(JSON.parse(configJson!), 'worker process config');
const connection = await NativeConnection.connect({ address: address! });
const worker = await createIncidentWorker({
  connection,
  namespace: 'default',
  taskQueue: taskQueue!,
  deps: { config, incidentsDir: config.incidentsDir, log: () => undefined, now: () => new Date() },
});
const running = worker.run();
console.log('ready');
await running;
