/**
 * Failures the CLI and the API report to people. Each names what failed; the CLI turns them into
 * one line and an exit code, the API into a status code and a JSON reason.
 */

/** The caller's input does not fit (bad argument, malformed field); nothing was sent. */
export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';
  constructor(
    message: string,
    /** Dotted path of the offending field, when there is one. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** No incident answers to the given incident ID, workflow ID or fingerprint. */
export class IncidentNotFoundError extends Error {
  override readonly name = 'IncidentNotFoundError';
  constructor(readonly id: string) {
    super(`no incident found for ${id}`);
  }
}

/** The workflow refused an Update (validator, stage, approver); the message is its reason. */
export class UpdateRefusedError extends Error {
  override readonly name = 'UpdateRefusedError';
  constructor(
    message: string,
    readonly workflowId: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The approver is not allowed to approve this option by the policy config; nothing was sent. */
export class ApproverNotAllowedError extends Error {
  override readonly name = 'ApproverNotAllowedError';
}

/** Temporal did not answer in time (server down, no worker for a query). */
export class EngineUnavailableError extends Error {
  override readonly name = 'EngineUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
