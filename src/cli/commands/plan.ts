import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { configAsRun, planAlertBody, planOpenIncident } from '../../intake/alert-plan';
import { InvalidRequestError } from '../../use-cases/errors';
import { assertIncidentRef, lookupIncident } from '../../use-cases/lookup';
import { fetchStatus } from '../../use-cases/status';
import { incidentPlanText } from '../../domain/incident-plan';
import { example, withContext } from '../action';

async function readAlert(source: string): Promise<unknown> {
  const text = source === '-' ? await readStdin() : await readFile(source, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidRequestError(`--alert ${source} is not JSON: ${(error as Error).message}`, 'alert');
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `incident plan`: what the engine would do for an alert body or an open incident, without side
 * effects: stages, deadlines (wall-clock where known), the options in order and every rollback
 * step with its exact argv, working directory, service and undo. An alert is parsed and routed
 * like the webhooks do, but nothing is started; an incident is only queried.
 */
export function registerPlan(program: Command): void {
  const command = program
    .command('plan')
    .argument('[id]', 'an open incident: incident ID, workflow ID or fingerprint')
    .option('--alert <file>', 'an alert body (generic or Alertmanager JSON); "-" reads stdin')
    .description('print what the engine would do: stages, deadlines, options and every rollback step')
    .option('--json', 'print the plan(s) as JSON');
  example(
    command,
    'incident plan --alert alert.json',
    'curl -s ... | incident plan --alert - --json',
    'incident plan INCIDENT-20261127-163000',
  );
  command.action(
    withContext<{ alert?: string }>(async (ctx, [id], opts) => {
      if ((id === undefined) === (opts.alert === undefined))
        throw new InvalidRequestError('give either an incident ID or --alert <file|->', 'alert');
      if (opts.alert !== undefined) {
        const plans = planAlertBody(await configAsRun(ctx.config), await readAlert(opts.alert), new Date());
        ctx.print({ plans }, () =>
          plans.length
            ? plans.map(incidentPlanText).join('\n\n')
            : 'no firing alert in the body: nothing would start',
        );
        return;
      }
      assertIncidentRef(id!);
      const client = await ctx.client();
      const ref = await lookupIncident(client, id!);
      const plan = planOpenIncident(
        await configAsRun(ctx.config),
        await fetchStatus(client, ref),
        new Date(),
      );
      ctx.print({ ...plan, url: ctx.url(ref.workflowId) }, () => incidentPlanText(plan));
    }),
  );
}
