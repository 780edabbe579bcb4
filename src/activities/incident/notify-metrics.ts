import { instrument } from '../../contracts/metrics';
import { currentContext } from '../support/activity-context';
import type { NotificationInput } from './notify';

/** The kinds the workflow sends; anything else is labelled `other` to keep the label a closed list. */
const KINDS = new Set(['escalation', 'status-update', 'reminder', 'info', 'approval-request']);

/**
 * Counts each notify attempt by kind, channel and outcome, through the activity context's
 * metricMeter (the worker Runtime's meter, which tags it with the activity type and task queue).
 * Activities are not replayed, so an attempt counts once; a retried attempt counts again, which is
 * what an operator watching a failing webhook wants. Outside an activity (unit tests) nothing is
 * recorded. A wrapper, so the notifier itself stays about sending.
 */
type Channel = 'slack' | 'webhook' | 'log';

export function withNotifyMetrics<A extends { notify(input: NotificationInput): Promise<Channel> }>(
  activities: A,
  channel: Channel,
): A {
  const notify = activities.notify.bind(activities);
  return {
    ...activities,
    async notify(input: NotificationInput) {
      const tags = { kind: KINDS.has(input.kind) ? input.kind : 'other', channel };
      const meter = currentContext()?.metricMeter;
      try {
        const sent = await notify(input);
        if (meter) instrument(meter, 'notifications').add(1, { ...tags, outcome: 'sent' });
        return sent;
      } catch (error) {
        if (meter) instrument(meter, 'notifications').add(1, { ...tags, outcome: 'failed' });
        throw error;
      }
    },
  };
}
