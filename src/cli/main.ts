import { Command } from 'commander';
import { loadEnv, workflowUrl } from '../config/env';
import { incidentInputSchema, incidentWorkflowId, SEVERITIES, SOURCES, SCENARIOS } from '../domain/incident';
import { connectClient } from '../temporal/connection';
import { statusQuery, TASK_QUEUE } from '../workflows/messages';
import { runMain } from './run-main';

interface StartOptions {
  severity: string;
  summary: string;
  service: string[];
  scenario: string;
  source: string;
  label: string[];
  fingerprint?: string;
  json?: boolean;
}

const program = new Command('incident')
  .description('Run the incident response guide as a durable Temporal workflow.')
  .showHelpAfterError();

program
  .command('start')
  .description('open an incident')
  .requiredOption('--severity <sev>', `one of ${SEVERITIES.join(', ')}`)
  .requiredOption('--summary <text>', 'what is wrong, in a sentence')
  .requiredOption('--service <name...>', 'affected services')
  .option('--scenario <name>', `one of ${SCENARIOS.join(', ')}`, 'unknown')
  .option('--source <name>', `one of ${SOURCES.join(', ')}`, 'user-report')
  .option('--label <name...>', 'labels such as security, data-loss', [])
  .option('--fingerprint <key>', 'dedup key (default: a new manual-<time> key)')
  .option('--json', 'print JSON')
  .addHelpText(
    'after',
    '\nExample:\n  $ incident start --severity SEV-2 --service mcp --summary "MCP server down" --json',
  )
  .action(async (opts: StartOptions) => {
    const env = loadEnv();
    const input = incidentInputSchema.parse({
      severity: opts.severity,
      summary: opts.summary,
      services: opts.service,
      scenario: opts.scenario,
      source: opts.source,
      labels: opts.label,
      fingerprint: opts.fingerprint ?? `manual-${Date.now().toString(36)}`,
    });
    const client = await connectClient(env);
    const workflowId = incidentWorkflowId(input.fingerprint);
    const handle = await client.workflow.start('incidentWorkflow', {
      taskQueue: env.TEMPORAL_TASK_QUEUE ?? TASK_QUEUE,
      workflowId,
      args: [{ incident: input }],
      staticSummary: `${input.severity} ${input.summary}`,
    });
    const status = await handle.query(statusQuery);
    const url = workflowUrl(env, workflowId);
    if (opts.json) console.log(JSON.stringify({ incidentId: status.incidentId, workflowId, url }));
    else console.log(`${status.incidentId} opened (${input.severity})\n${url}`);
    await client.connection.close();
  });

program
  .command('status <id>')
  .description('show an incident (workflow ID)')
  .option('--json', 'print JSON')
  .action(async (id: string, opts: { json?: boolean }) => {
    const env = loadEnv();
    const client = await connectClient(env);
    const status = await client.workflow.getHandle(id).query(statusQuery);
    if (opts.json) console.log(JSON.stringify(status));
    else
      console.log(`${status.incidentId} ${status.severity} stage=${status.stage}\n${workflowUrl(env, id)}`);
    await client.connection.close();
  });

await runMain(async () => {
  await program.parseAsync(process.argv);
});
