import { ApplicationFailure } from '@temporalio/common';
import { FAILURE } from '../../domain/failure-types';
import type { ActivityDeps } from '../deps';

export interface NotificationInput {
  incidentId: string;
  severity: string;
  /** escalation, status-update, reminder, info */
  kind: string;
  text: string;
}

export function createNotifyActivities(deps: ActivityDeps) {
  return {
    /**
     * Posts to the Slack-compatible webhook, or writes to the log when none is configured. A
     * retry may post the same message twice; a duplicate chat line is the accepted cost of never
     * losing an escalation. 4xx answers are not retried (the URL or payload is wrong).
     */
    async notify(input: NotificationInput): Promise<'webhook' | 'log'> {
      const line = `[${input.kind}] ${input.incidentId} (${input.severity}): ${input.text}`;
      if (!deps.slackWebhookUrl) {
        deps.log(line, { incidentId: input.incidentId, step: 'notify', kind: input.kind });
        return 'log';
      }
      const response = await fetch(deps.slackWebhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: line }),
        signal: AbortSignal.timeout(10_000),
      });
      if (response.status >= 400 && response.status < 500) {
        throw ApplicationFailure.create({
          type: FAILURE.notificationRejected,
          nonRetryable: true,
          message: `webhook answered ${response.status}`,
        });
      }
      if (!response.ok) throw new Error(`webhook answered ${response.status}`);
      return 'webhook';
    },
  };
}
