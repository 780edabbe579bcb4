import { ApplicationFailure } from '@temporalio/common';
import type { MitigationOption } from '../../contracts/incident';
import type { NotificationProposal } from '../../contracts/messages';
import { FAILURE } from '../../domain/failure-types';
import { incidentMessage } from '../../domain/slack-message';
import type { ActivityDeps } from '../deps';
import { SlackRejectedError } from '../support/slack-chat';

export interface NotificationInput {
  incidentId: string;
  severity: string;
  /** escalation, approval-request, status-update, reminder, info */
  kind: string;
  text: string;
  /** For the Slack buttons (their values carry it). Absent in histories recorded before Slack. */
  workflowId?: string;
  stage?: string;
  /** Approval requests: the option and its exact steps. */
  proposal?: NotificationProposal;
  /** The option waiting for approval when the notification was sent (Approve / Reject on escalations). */
  pendingOption?: MitigationOption;
}

const rejected = (message: string, cause?: unknown) =>
  ApplicationFailure.create({
    type: FAILURE.notificationRejected,
    nonRetryable: true,
    message,
    cause: cause as Error,
  });

export function createNotifyActivities(deps: ActivityDeps) {
  return {
    /**
     * Posts a Block Kit message with Acknowledge / Approve / Reject buttons when a Slack bot is
     * configured, else to the Slack-compatible incoming webhook, else writes to the log. A retry
     * may post the same message twice; a duplicate chat line is the accepted cost of never losing
     * an escalation. Answers that retrying cannot fix (4xx, Slack's `ok: false`) are not retried.
     */
    async notify(input: NotificationInput): Promise<'slack' | 'webhook' | 'log'> {
      const line = `[${input.kind}] ${input.incidentId} (${input.severity}): ${input.text}`;
      if (deps.slack && input.workflowId) {
        try {
          await deps.slack.post(
            incidentMessage({ ...input, workflowId: input.workflowId, stage: input.stage ?? 'unknown' }),
          );
        } catch (error) {
          if (error instanceof SlackRejectedError) throw rejected(error.message, error);
          throw error;
        }
        return 'slack';
      }
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
      if (response.status >= 400 && response.status < 500)
        throw rejected(`webhook answered ${response.status}`);
      if (!response.ok) throw new Error(`webhook answered ${response.status}`);
      return 'webhook';
    },
  };
}
