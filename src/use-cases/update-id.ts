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
