import type { Command } from 'commander';
import { SCENARIOS, SEVERITIES, STAGES } from '../../contracts/incident';
import { listFiltersSchema, listIncidents } from '../../use-cases/list';
import { parseOrThrow } from '../../use-cases/validation';
import { example, withContext } from '../action';
import { listText } from '../format';

interface ListOptions {
  stage?: string;
  severity?: string;
  service?: string;
  scenario?: string;
  status: string;
  limit: string;
}

/** `incident list`: newest first, from visibility (about a second behind). */
export function registerList(program: Command): void {
  const command = program
    .command('list')
    .description('list incidents, newest first')
    .option('--stage <stage>', STAGES.join(', '))
    .option('--severity <sev>', SEVERITIES.join(', '))
    .option('--service <name>', 'only incidents affecting this service')
    .option('--scenario <name>', SCENARIOS.join(', '))
    .option('--status <which>', 'open, closed or all', 'all')
    .option('--limit <n>', 'at most this many (1-500)', '50')
    .option('--json', 'print JSON');
  example(
    command,
    'incident list --status open --severity SEV-1',
    'incident list --service mcp-server --json',
  );
  command.action(
    withContext<ListOptions>(async (ctx, _args, opts) => {
      const filters = parseOrThrow(listFiltersSchema, {
        stage: opts.stage,
        severity: opts.severity,
        service: opts.service,
        scenario: opts.scenario,
        status: opts.status,
        limit: opts.limit,
      });
      const rows = (await listIncidents(await ctx.client(), filters)).map((row) => ({
        ...row,
        url: ctx.url(row.workflowId),
      }));
      ctx.print({ incidents: rows }, () => listText(ctx.c, rows));
    }),
  );
}
