import type { Command } from 'commander';
import type * as DrillSchedule from '../../use-cases/drill-schedule';
import { InvalidRequestError } from '../../use-cases/errors';
import type { RollbackProcedure } from '../../contracts/rollback';
import { DRILL_PROCEDURES, type RollbackDrillResult } from '../../contracts/drill';
import { example, withContext } from '../action';
import type { CliContext } from '../context';

/** Loaded on use: it brings in the Temporal client, which `--help` should not pay for. */
const drillSchedule = (): Promise<typeof DrillSchedule> => import('../../use-cases/drill-schedule');

interface ScheduleOptions {
  cron?: string;
  timezone?: string;
}
interface RunOptions {
  procedure?: string[];
  keepClones?: boolean;
}

function procedures(names: string[] | undefined): RollbackProcedure[] | undefined {
  if (!names?.length) return undefined;
  for (const name of names)
    if (!DRILL_PROCEDURES.includes(name as RollbackProcedure))
      throw new InvalidRequestError(
        `procedure: ${name} is not one of ${DRILL_PROCEDURES.join(', ')}`,
        'procedure',
      );
  return names as RollbackProcedure[];
}

function resultText(ctx: CliContext, r: RollbackDrillResult): string {
  return [
    `${r.ok ? ctx.c.green('drill passed') : ctx.c.red('drill FAILED')} ${r.drillId}`,
    ...r.procedures.map(
      (p) =>
        `  ${p.ok ? 'ok    ' : 'FAILED'} ${p.procedure}${p.rollback?.failedStep ? ` at ${p.rollback.failedStep}` : ''}${p.error ? `: ${p.error}` : ''}`,
    ),
    `  report: ${r.reportPath ?? 'not written'}`,
  ].join('\n');
}

/**
 * `incident drill schedule|run|list|status`: the guide's quarterly rollback test as a Temporal
 * Schedule that runs every rollback procedure on disposable clones of the target.
 */
export function registerDrill(program: Command): void {
  const drill = program
    .command('drill')
    .description('rollback drills: each procedure on a disposable clone, quarterly by schedule');

  const schedule = drill
    .command('schedule')
    .description('create or update the drill schedule (default: 09:00 UTC on the first day of each quarter)')
    .option('--cron <expr>', 'a 5-field cron expression instead of the quarterly calendar')
    .option('--timezone <tz>', 'IANA time zone of the calendar (default UTC)')
    .option('--json', 'print JSON');
  example(
    schedule,
    'incident drill schedule',
    'incident drill schedule --cron "0 9 1 */3 *" --timezone Europe/London',
  );
  schedule.action(
    withContext<ScheduleOptions>(async (ctx, _args, opts) => {
      const { describeDrillSchedule, drillScheduleSpec, upsertDrillSchedule } = await drillSchedule();
      drillScheduleSpec(opts.cron, opts.timezone); // refuses a bad --cron before connecting
      const client = await ctx.client();
      const { scheduleId, created } = await upsertDrillSchedule(client, {
        taskQueue: ctx.env.TEMPORAL_TASK_QUEUE,
        ...(opts.cron ? { cron: opts.cron } : {}),
        ...(opts.timezone ? { timezone: opts.timezone } : {}),
      });
      const info = await describeDrillSchedule(client, scheduleId);
      ctx.print(
        { ...info, created },
        () =>
          `schedule ${scheduleId} ${created ? 'created' : 'updated'}; next drills: ${info.nextActionTimes.slice(0, 2).join(', ') || 'none'}`,
      );
    }),
  );

  const run = drill
    .command('run')
    .description('run one drill now and wait for its report')
    .option('--procedure <name...>', `procedures to drill (default: ${DRILL_PROCEDURES.join(' ')})`)
    .option('--keep-clones', 'keep the clones for inspection')
    .option('--json', 'print JSON');
  example(run, 'incident drill run', 'incident drill run --procedure widget --json');
  run.action(
    withContext<RunOptions>(async (ctx, _args, opts) => {
      const selected = procedures(opts.procedure);
      const { runDrillNow } = await drillSchedule();
      const { workflowId, result } = await runDrillNow(await ctx.client(), ctx.env.TEMPORAL_TASK_QUEUE, {
        ...(selected ? { procedures: selected } : {}),
        ...(opts.keepClones ? { keepClones: true } : {}),
      });
      ctx.note(
        `drill started: ${workflowId} (Ctrl+C stops waiting, not the drill)\n  Web UI: ${ctx.url(workflowId)}`,
      );
      const r = await result();
      ctx.print({ workflowId, url: ctx.url(workflowId), ...r }, () => resultText(ctx, r));
      if (!r.ok) process.exitCode = 1;
    }),
  );

  const list = drill
    .command('list')
    .description('recent drills, newest first')
    .option('--json', 'print JSON');
  list.action(
    withContext(async (ctx) => {
      const { listDrills } = await drillSchedule();
      const drills = (await listDrills(await ctx.client())).map((d) => ({
        ...d,
        url: ctx.url(d.workflowId),
      }));
      ctx.print({ drills }, () =>
        drills.length
          ? drills.map((d) => `${d.startTime}  ${d.status.padEnd(10)} ${d.workflowId}`).join('\n')
          : 'no drills yet',
      );
    }),
  );

  const status = drill
    .command('status')
    .description('the drill schedule and its next runs')
    .option('--json', 'print JSON');
  status.action(
    withContext(async (ctx) => {
      const { describeDrillSchedule } = await drillSchedule();
      const info = await describeDrillSchedule(await ctx.client());
      ctx.print(info, () =>
        [
          `schedule ${info.scheduleId}${info.paused ? ' (paused)' : ''}`,
          `  next: ${info.nextActionTimes.join(', ') || 'none'}`,
          `  recent: ${info.recentActions.map((a) => `${a.scheduledAt} ${a.workflowId}`).join(', ') || 'none'}`,
        ].join('\n'),
      );
    }),
  );
}
