/** The `incident` command: wiring only; each verb lives in commands/. */
import { Command } from 'commander';
import { registerAck } from './commands/ack';
import { registerApproval } from './commands/approve';
import { registerDoctor } from './commands/doctor';
import { registerDrill } from './commands/drill';
import { registerList } from './commands/list';
import { registerMetrics } from './commands/metrics';
import { registerOutcome, registerSeverity, registerWorkaround } from './commands/mitigation-record';
import { registerPlan } from './commands/plan';
import { registerReport } from './commands/report';
import { registerResolve } from './commands/resolve';
import { registerReview } from './commands/review';
import { registerRollback } from './commands/rollback';
import { registerStart } from './commands/start';
import { registerStatus } from './commands/status';
import { registerWatch } from './commands/watch';
import { oneLine, runMain } from '../process/run-main';
import { startTracing } from '../temporal/tracing';

const program = new Command('incident')
  .description('Run the incident response guide as durable Temporal workflows.')
  .option('--config <file>', 'engine config file (default: $INCIDENT_CONFIG or ./incident.config.yaml)')
  .showSuggestionAfterError()
  .exitOverride()
  .configureOutput({ outputError: (message, write) => write(`${oneLine(message)}\n`) })
  .addHelpText(
    'after',
    `
Incidents are named by incident ID (INCIDENT-YYYYMMDD-HHMMSS), workflow ID (incident-...) or fingerprint.
Every verb takes --json. Exit codes: 0 ok, 1 failure, 2 bad arguments or config, 3 incident not found,
4 refused by the workflow or the approvers config, 5 Temporal or the worker unavailable.
Environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE, INCIDENT_CONFIG, INCIDENT_OPERATOR, NO_COLOR.`,
  );

registerStart(program);
registerList(program);
registerStatus(program);
registerWatch(program);
registerAck(program);
registerApproval(program, 'approve');
registerApproval(program, 'reject');
registerOutcome(program);
registerWorkaround(program);
registerSeverity(program);
registerResolve(program);
registerReview(program);
registerReport(program);
registerRollback(program);
registerPlan(program);
registerMetrics(program);
registerDrill(program);
registerDoctor(program);
for (const command of program.commands) command.exitOverride().configureOutput(program.configureOutput());

await runMain(async () => {
  // Quiet: the CLI's output is for people and scripts (--json), so it does not announce tracing.
  const tracing = startTracing('incident-cli');
  try {
    await program.parseAsync(process.argv);
  } finally {
    // A CLI call lives for a second: flush its spans before the process exits.
    await tracing?.shutdown();
  }
});
