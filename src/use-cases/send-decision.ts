import {
  type Client,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Policy } from '../contracts/policy';
import { failureReason } from '../domain/failure-message';
import { SEVERITIES, type Severity } from '../contracts/incident';
import type { DecisionChannel, UpdateResult } from '../contracts/messages';
import { SA } from '../contracts/search-attributes';
import { assertMayApprove } from './approvers';
import { DECISION_SCHEMAS, DECISION_UPDATES, type DecisionVerb } from '../contracts/decisions';
import { stableUpdateId } from './update-id';
import { EngineUnavailableError, UpdateRefusedError } from './errors';
import type { IncidentRef } from './lookup';
import { fetchStatus } from './status';
import { parseOrThrow } from './validation';

/** An Update waits for a worker to run its handler; past this the caller gets a clear error. */
export const UPDATE_TIMEOUT_MS = 30_000;

export interface DecisionOutcome extends UpdateResult {
  updateId: string;
}

async function severityOf(client: Client, ref: IncidentRef): Promise<Severity> {
  const fromVisibility = ref.description.typedSearchAttributes.get(SA.severity);
  if (fromVisibility && (SEVERITIES as readonly string[]).includes(fromVisibility))
    return fromVisibility as Severity;
  return (await fetchStatus(client, ref)).severity;
}

const causeMessage = (error: WorkflowUpdateFailedError): string =>
  (error.cause && failureReason(error.cause)) || error.message;

/**
 * Sends one human decision as a Workflow Update and returns the workflow's answer; throws
 * {@link UpdateRefusedError} with the workflow's reason when it refuses. Input is validated and
 * the approver checked against the policy first, so a refused request sends nothing. The Update
 * ID is stable (see {@link stableUpdateId}) unless the caller gives one, so a retry is idempotent.
 * `via` is the entry point's channel: it replaces any `via` in the input (a requester cannot
 * claim another channel) and is left out of the Update ID, so the same decision retried through
 * another channel is still the same decision.
 */
export async function sendDecision(
  client: Client,
  policy: Policy,
  ref: IncidentRef,
  verb: DecisionVerb,
  rawInput: unknown,
  options: { updateId?: string; root?: string; via?: DecisionChannel } = {},
): Promise<DecisionOutcome> {
  // A requester-given `via` is dropped (JSON leaves out undefined), and replaced below.
  const input = { ...parseOrThrow(DECISION_SCHEMAS[verb], rawInput, options.root), via: undefined };
  if (ref.description.status.name !== 'RUNNING') {
    throw new UpdateRefusedError(
      `${ref.workflowId} is not open (${ref.description.status.name.toLowerCase()}): nothing to ${verb}`,
      ref.workflowId,
    );
  }
  if ('approver' in input)
    assertMayApprove(policy, await severityOf(client, ref), input.option, input.approver);
  const updateId = options.updateId ?? stableUpdateId(verb, ref.workflowId, input, ref.runId);
  const handle = client.workflow.getHandle(ref.workflowId, ref.runId);
  let result: UpdateResult;
  try {
    result = await client.withDeadline(Date.now() + UPDATE_TIMEOUT_MS, () =>
      // The union of update definitions cannot be called through one signature; each pairs with its schema.
      handle.executeUpdate(DECISION_UPDATES[verb] as typeof DECISION_UPDATES.ack, {
        args: [{ ...(input as { by: string }), via: options.via }],
        updateId,
      }),
    );
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      throw new UpdateRefusedError(causeMessage(error), ref.workflowId, { cause: error });
    }
    if (error instanceof WorkflowNotFoundError) {
      throw new UpdateRefusedError(
        `${ref.workflowId} is no longer open: nothing to ${verb}`,
        ref.workflowId,
        {
          cause: error,
        },
      );
    }
    if (
      error instanceof WorkflowUpdateRPCTimeoutOrCancelledError ||
      (error as { code?: number }).code === 4
    ) {
      throw new EngineUnavailableError(
        `no worker took the ${verb} update within ${UPDATE_TIMEOUT_MS / 1000} s (is the worker running?)`,
        { cause: error },
      );
    }
    throw error;
  }
  if (!result.accepted) throw new UpdateRefusedError(result.message, ref.workflowId);
  return { ...result, updateId };
}
