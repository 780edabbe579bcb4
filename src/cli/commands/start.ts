import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import {
  formatIncidentId,
  incidentInputSchema,
  SCENARIOS,
  SEVERITIES,
  SOURCES,
} from '../../contracts/incident';
import { incidentIdOfRun } from '../../use-cases/lookup';
import { parseOrThrow } from '../../use-cases/validation';
import { collect, example, withContext } from '../action';

interface StartOptions {
  severity: string;
  summary: string;
  service: string[];
  scenario: string;
  source: string;
  label: string[];
  fingerprint?: string;
}

/** `incident start`: opens an incident by hand (a user report), or joins the open one for --fingerprint. */
export function registerStart(program: Command): void {
  const command = program
    .command('start')
    .description('open an incident (or join the open one with the same --fingerprint)')
    .requiredOption('--severity <sev>', `one of ${SEVERITIES.join(', ')}`)
    .requiredOption('--summary <text>', 'what is wrong, in a sentence')
    .requiredOption('--service <name>', 'affected service (repeat for several)', collect)
    .option('--scenario <name>', `one of ${SCENARIOS.join(', ')}`, 'unknown')
    .option('--source <name>', `detection source: ${SOURCES.join(', ')}`, 'user-report')
    .option('--label <name>', 'label such as security or data-loss (repeatable)', collect, [])
    .option('--fingerprint <key>', 'dedup key (default: a new INCIDENT-<time>-<random> key)')
    .option('--json', 'print JSON');
  example(command, 'incident start --severity SEV-2 --service mcp-server --summary "MCP server down" --json');
  command.action(
    withContext<StartOptions>(async (ctx, _args, opts) => {
      const now = new Date();
      const incident = parseOrThrow(incidentInputSchema, {
        severity: opts.severity,
        summary: opts.summary,
        services: opts.service,
        scenario: opts.scenario,
        source: opts.source,
        labels: opts.label,
        fingerprint: opts.fingerprint ?? `${formatIncidentId(now)}-${randomBytes(2).toString('hex')}`,
      });
      const client = await ctx.client();
      // Loaded on use: it brings in the Temporal client and tracing, which `--help` should not pay for.
      const { openIncident } = await import('../../use-cases/open-incident');
      const opened = await openIncident(
        client,
        incident,
        {
          fingerprint: incident.fingerprint,
          status: 'firing',
          receivedAt: now.toISOString(),
          summary: incident.summary,
          source: incident.source,
        },
        { taskQueue: ctx.env.TEMPORAL_TASK_QUEUE },
      );
      const incidentId = await incidentIdOfRun(client, opened.workflowId, opened.runId);
      const url = ctx.url(opened.workflowId);
      ctx.print({ incidentId, workflowId: opened.workflowId, deduplicated: opened.deduplicated, url }, () =>
        [
          `${ctx.c.bold(incidentId)} ${opened.deduplicated ? 'already open: alert recorded on it' : 'opened'} (${incident.severity})`,
          `  workflow: ${opened.workflowId}`,
          `  Web UI: ${url}`,
        ].join('\n'),
      );
    }),
  );
}
