import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { assertIncidentRef, lookupIncident } from '../../use-cases/lookup';
import { fetchStatus } from '../../use-cases/status';
import { example, withContext } from '../action';

/**
 * `incident report`: prints the post-incident report (incidents/<ID>/report.md). The path comes
 * from the status query; without one the configured incidents folder is tried, since the CLI
 * normally runs where the worker writes.
 */
export function registerReport(program: Command): void {
  const command = program
    .command('report')
    .argument('<id>', 'incident ID, workflow ID or fingerprint')
    .description('print the post-incident report (markdown)')
    .option('--json', 'print { incidentId, path, markdown, url }');
  example(command, 'incident report INCIDENT-20261127-163000 > report.md');
  command.action(
    withContext(async (ctx, [id]) => {
      assertIncidentRef(id!);
      const client = await ctx.client();
      const ref = await lookupIncident(client, id!);
      const status = await fetchStatus(client, ref);
      const path = resolve(
        status.reportPath ?? join(ctx.config.incidentsDir, status.incidentId, 'report.md'),
      );
      const markdown = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        throw new Error(
          `no report for ${status.incidentId} yet at ${path} (stage: ${status.stage}; the report is written at review)`,
        );
      });
      const url = ctx.url(ref.workflowId);
      ctx.print(
        { incidentId: status.incidentId, path, markdown, url },
        () => `${markdown.trimEnd()}\n\n<!-- Web UI: ${url} -->`,
      );
    }),
  );
}
