import type { Client } from '@temporalio/client';
import { type IncidentStatus, statusQuery } from '../contracts/messages';
import { EngineUnavailableError } from './errors';
import type { IncidentRef } from './lookup';

/** A query needs a worker to answer; without one it would wait forever. */
export const QUERY_TIMEOUT_MS = 5_000;

/**
 * Our deadline passed: a gRPC DEADLINE_EXCEEDED (code 4), as the error itself or, from the
 * client's query, as the cause of its ServiceError ("Failed to query Workflow"), which says
 * nothing about the deadline in its own message.
 */
const isDeadline = (error: unknown): boolean => {
  if (!(error instanceof Error)) return false;
  const cause = (error as { cause?: unknown }).cause;
  return (
    (error as { code?: number }).code === 4 ||
    /deadline/i.test(error.message) ||
    /timed? ?out/i.test(error.message) ||
    (cause !== undefined && cause !== error && isDeadline(cause))
  );
};

/** The incident's `status` query, bounded so a missing worker becomes a clear error. */
export async function fetchStatus(
  client: Client,
  ref: Pick<IncidentRef, 'workflowId' | 'runId'>,
): Promise<IncidentStatus> {
  try {
    return await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
      client.workflow.getHandle(ref.workflowId, ref.runId).query(statusQuery),
    );
  } catch (error) {
    const cause = (error as { cause?: { code?: number; details?: string } }).cause;
    if (cause?.code === 9 && cause.details) {
      // FAILED_PRECONDITION: the server knows no worker polls the incident's task queue.
      throw new EngineUnavailableError(`cannot query ${ref.workflowId}: ${cause.details}`, { cause: error });
    }
    if (isDeadline(error)) {
      throw new EngineUnavailableError(
        `no worker answered the status query for ${ref.workflowId} within ${QUERY_TIMEOUT_MS / 1000} s (is the worker running?)`,
        { cause: error },
      );
    }
    throw error;
  }
}
