import type { Command } from 'commander';
import { assertIncidentRef, incidentIdOf, lookupIncident } from '../../use-cases/lookup';
import { fetchStatus } from '../../use-cases/status';
import { InvalidRequestError } from '../../use-cases/errors';
import { example, withContext } from '../action';
import { statusText } from '../format';

/** `incident status`: the readable summary, or the whole status document under --json. */
export function registerStatus(program: Command): void {
  const command = program
    .command('status')
    .argument('<id>', 'incident ID (INCIDENT-...), workflow ID (incident-...) or fingerprint')
    .description('show stage, severity, pending approval, deadlines and the recent timeline')
    .option('--lines <n>', 'timeline entries to show', '8')
    .option('--json', 'print the full status as JSON');
  example(command, 'incident status INCIDENT-20261127-163000', 'incident status incident-am-3fa2c9e1 --json');
  command.action(
    withContext<{ lines: string }>(async (ctx, [id], opts) => {
      const lines = Number(opts.lines);
      if (!Number.isInteger(lines) || lines < 0 || lines > 1_000) {
        throw new InvalidRequestError('--lines must be a whole number from 0 to 1000', 'lines');
      }
      assertIncidentRef(id!);
      const client = await ctx.client();
      const ref = await lookupIncident(client, id!);
      const status = await fetchStatus(client, ref);
      const url = ctx.url(ref.workflowId);
      const executionStatus = ref.description.status.name;
      ctx.print(
        { ...status, executionStatus, url, incidentId: status.incidentId ?? incidentIdOf(ref.description) },
        () =>
          statusText(ctx.c, status, url, lines) +
          (executionStatus === 'RUNNING' ? '' : `\n  workflow ${executionStatus.toLowerCase()}`),
      );
    }),
  );
}
