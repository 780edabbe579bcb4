import { Context } from '@temporalio/activity';
import type { ActivityLog } from '../activities/deps';
import type { Logger } from '../logging/logger';

/** The running activity's context, or undefined outside one (a notification sent at start-up). */
function currentActivity(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/**
 * `deps.log` of a real worker. Inside an activity it writes through the activity context logger,
 * so the line carries the SDK's activity attributes (workflowId, runId, activityType, attempt)
 * like any `log` call from '@temporalio/activity'; elsewhere it writes to the process logger.
 */
export function activityLog(logger: Logger): ActivityLog {
  return (line, fields) => {
    const context = currentActivity();
    if (context) context.log.info(line, { ...logger.bindings(), ...fields });
    else logger.info(fields ?? {}, line);
  };
}
