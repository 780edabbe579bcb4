import {
  type Client,
  ScheduleAlreadyRunning,
  type ScheduleDescription,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
  type Workflow,
} from '@temporalio/client';
import {
  DRILL_SCHEDULE_ID,
  DRILL_WORKFLOW_ID_PREFIX,
  DRILL_WORKFLOW_TYPE,
  type RollbackDrillInput,
  type RollbackDrillResult,
} from '../contracts/drill';
import { InvalidRequestError } from './errors';

/**
 * The quarterly rollback drill as a Temporal Schedule, and one-off drills. One schedule ID, so
 * `incident drill schedule` is idempotent: the first call creates it, later calls update its spec
 * and action in place (never a second schedule).
 */
export interface DrillScheduleOptions {
  taskQueue: string;
  /** A cron expression instead of the default quarterly calendar. */
  cron?: string;
  /** Time zone of the calendar or cron (IANA name); default UTC. */
  timezone?: string;
  scheduleId?: string;
  input?: RollbackDrillInput;
}

/** The guide's "quarterly": 09:00 on the first day of January, April, July and October. */
export const QUARTERLY_SPEC: ScheduleSpec = {
  calendars: [
    {
      comment: 'first day of each quarter, 09:00',
      month: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'],
      dayOfMonth: 1,
      hour: 9,
      minute: 0,
    },
  ],
};

const CRON = /^(@(yearly|annually|monthly|weekly|daily|hourly)|(\S+\s+){4}\S+)$/;

export function drillScheduleSpec(cron?: string, timezone?: string): ScheduleSpec {
  if (cron !== undefined && !CRON.test(cron.trim()))
    throw new InvalidRequestError(
      `cron: ${JSON.stringify(cron)} is not a 5-field cron expression (e.g. "0 9 1 1,4,7,10 *")`,
      'cron',
    );
  const base = cron ? { cronExpressions: [cron.trim()] } : QUARTERLY_SPEC;
  return timezone ? { ...base, timezone } : base;
}

function drillAction(options: DrillScheduleOptions): ScheduleOptionsStartWorkflowAction<Workflow> {
  return {
    type: 'startWorkflow',
    workflowType: DRILL_WORKFLOW_TYPE,
    workflowId: DRILL_WORKFLOW_ID_PREFIX,
    taskQueue: options.taskQueue,
    args: [options.input ?? {}],
    workflowExecutionTimeout: '3 hours',
    staticSummary: 'Quarterly rollback drill (widget, mcp, full) on disposable clones',
  };
}

/** Creates the drill schedule, or updates it when it exists. */
export async function upsertDrillSchedule(
  client: Client,
  options: DrillScheduleOptions,
): Promise<{ scheduleId: string; created: boolean }> {
  const scheduleId = options.scheduleId ?? DRILL_SCHEDULE_ID;
  const spec = drillScheduleSpec(options.cron, options.timezone);
  const action = drillAction(options);
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action,
      policies: { overlap: 'SKIP', catchupWindow: '1 day' },
      memo: { purpose: 'guide: Verify - Rollback procedures work: test rollback quarterly' },
    });
    return { scheduleId, created: true };
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action }));
  return { scheduleId, created: false };
}

export interface DrillScheduleInfo {
  scheduleId: string;
  paused: boolean;
  calendars: ScheduleDescription['spec']['calendars'];
  cronExpressions: string[];
  nextActionTimes: string[];
  recentActions: { scheduledAt: string; workflowId: string }[];
}

export async function describeDrillSchedule(
  client: Client,
  scheduleId = DRILL_SCHEDULE_ID,
): Promise<DrillScheduleInfo> {
  const d = await client.schedule.getHandle(scheduleId).describe();
  return {
    scheduleId,
    paused: d.state.paused,
    calendars: d.spec.calendars,
    cronExpressions: (d.spec as { cronExpressions?: string[] }).cronExpressions ?? [],
    nextActionTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
    recentActions: d.info.recentActions.map((a) => ({
      scheduledAt: a.scheduledAt.toISOString(),
      workflowId: a.action.workflow.workflowId,
    })),
  };
}

/** Starts one drill now; `wait` returns its result. */
export async function runDrillNow(
  client: Client,
  taskQueue: string,
  input: RollbackDrillInput = {},
): Promise<{ workflowId: string; result: () => Promise<RollbackDrillResult> }> {
  const workflowId = `${DRILL_WORKFLOW_ID_PREFIX}-manual-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const handle = await client.workflow.start(DRILL_WORKFLOW_TYPE, {
    workflowId,
    taskQueue,
    args: [input],
    workflowExecutionTimeout: '3 hours',
    staticSummary: 'Rollback drill (manual)',
  });
  return { workflowId, result: () => handle.result() as Promise<RollbackDrillResult> };
}

export interface DrillSummary {
  workflowId: string;
  status: string;
  startTime: string;
  closeTime?: string;
}

/** Recent drills from visibility, newest first. */
export async function listDrills(client: Client, limit = 20): Promise<DrillSummary[]> {
  const out: DrillSummary[] = [];
  for await (const info of client.workflow.list({
    query: `WorkflowType = '${DRILL_WORKFLOW_TYPE}'`,
    pageSize: limit,
  })) {
    out.push({
      workflowId: info.workflowId,
      status: info.status.name,
      startTime: info.startTime.toISOString(),
      closeTime: info.closeTime?.toISOString(),
    });
    if (out.length >= limit) break;
  }
  return out;
}
