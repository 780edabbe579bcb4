import { createHash } from 'node:crypto';
import type { DecisionVerb } from '../contracts/decisions';

/**
 * A deterministic Update ID: the same decision on the same incident gets the same ID, so a command
 * or request retried after a lost answer returns the first result instead of deciding twice.
 * Callers may pass their own (CLI `--request-id`, HTTP `Idempotency-Key`).
 */
export function stableUpdateId(verb: DecisionVerb, workflowId: string, input: unknown, runId = ''): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([verb, workflowId, runId, input]))
    .digest('hex')
    .slice(0, 32);
  return `${verb}-${digest}`;
}

/**
 * The Update ID of a Slack button click: derived from the click itself (the message, the action's
 * own timestamp and who clicked), so a replayed request that reaches another API process, past
 * that process's memory of seen signatures, returns the first result instead of deciding again.
 */
export function slackUpdateId(
  verb: DecisionVerb,
  workflowId: string,
  click: { channelId: string; messageTs: string; actionTs: string; userId: string },
): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([workflowId, click.channelId, click.messageTs, click.actionTs, click.userId]))
    .digest('hex')
    .slice(0, 32);
  return `${verb}-slack-${digest}`;
}
