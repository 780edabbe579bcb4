/**
 * The one catalogue of failure types. `FAILURE` names the `type` of every ApplicationFailure the
 * activities and workflows raise, `FAILURE_RETRY` says for each whether a retry can help (the
 * activities set `nonRetryable` from it, the retry policies list the final ones), and
 * `REPORTED_FAILURES` maps the errors people see to a CLI exit code and an HTTP status.
 */
export const FAILURE = {
  /** A ref, path or name was refused by validation before any command ran. */
  unsafeInput: 'UnsafeInput',
  /** Target, service or command missing from the configuration. */
  notConfigured: 'NotConfigured',
  /** A git command failed for a reason other than those below. */
  gitFailed: 'GitFailed',
  /** The revert does not apply cleanly; a human must resolve it. */
  mergeConflict: 'MergeConflict',
  /** Uncommitted changes the engine did not make; it will not overwrite them. */
  dirtyWorkingTree: 'DirtyWorkingTree',
  /** The commit to revert or reset to is not in HEAD's history. */
  notAncestor: 'NotAncestor',
  /** A tag already exists and points elsewhere. */
  tagExists: 'TagExists',
  /** A runbook command exited non-zero. */
  commandFailed: 'CommandFailed',
  /** A runbook command ran past its configured timeout and was killed with its process tree. */
  commandTimedOut: 'CommandTimedOut',
  /** The service did not become healthy (or exited) after start. */
  serviceUnhealthy: 'ServiceUnhealthy',
  /** The service's port is held by a process the engine did not start. */
  portInUse: 'PortInUse',
  /** Another incident holds the repository lock (retryable: the caller waits its turn). */
  repoLocked: 'RepoLocked',
  /** A verification step found the result wrong (no built widgets, contract test failed ...). */
  verificationFailed: 'VerificationFailed',
  /** The repository pins a package manager version that is not installed (never downloaded). */
  packageManagerMissing: 'PackageManagerMissing',
  /** The notification webhook refused the message (4xx): sending it again cannot help. */
  notificationRejected: 'NotificationRejected',
  /** The incident workflow's input does not fit its schema; the workflow fails at once. */
  invalidIncidentInput: 'InvalidIncidentInput',
  /** The policy recorded for the incident does not fit its schema. */
  invalidPolicy: 'InvalidPolicy',
  /** Prometheus did not answer (connection refused, timeout, HTTP 5xx/429): it may answer next time. */
  prometheusUnavailable: 'PrometheusUnavailable',
  /** Prometheus refused the query (bad PromQL, execution error, wrong path or auth: HTTP 4xx). */
  prometheusQueryRejected: 'PrometheusQueryRejected',
  /** The answer is not a Prometheus instant-query result (not JSON, not success, a range vector). */
  prometheusBadAnswer: 'PrometheusBadAnswer',
} as const;
export type FailureType = (typeof FAILURE)[keyof typeof FAILURE];

/** Whether a retry may help: `final` types are non-retryable wherever they are raised. */
export type RetryIntent = 'retry' | 'final';

/** The retry intent of every failure type. */
export const FAILURE_RETRY: Record<FailureType, RetryIntent> = {
  UnsafeInput: 'final',
  NotConfigured: 'final',
  GitFailed: 'retry',
  MergeConflict: 'final',
  DirtyWorkingTree: 'final',
  NotAncestor: 'final',
  TagExists: 'final',
  // A command may fail for a passing reason; the rollback steps retry it, cancelCiJob does not.
  CommandFailed: 'retry',
  CommandTimedOut: 'retry',
  ServiceUnhealthy: 'retry',
  PortInUse: 'final',
  RepoLocked: 'retry',
  VerificationFailed: 'final',
  PackageManagerMissing: 'final',
  NotificationRejected: 'final',
  InvalidIncidentInput: 'final',
  InvalidPolicy: 'final',
  PrometheusUnavailable: 'retry',
  // The same query against the same server gets the same refusal: a config fix, not a retry.
  PrometheusQueryRejected: 'final',
  PrometheusBadAnswer: 'final',
};

/** Failures that no retry can fix; every rollback step's retry policy lists them. */
export const NON_RETRYABLE_RUNBOOK_FAILURES: FailureType[] = [
  FAILURE.unsafeInput,
  FAILURE.notConfigured,
  FAILURE.mergeConflict,
  FAILURE.dirtyWorkingTree,
  FAILURE.notAncestor,
  FAILURE.tagExists,
  FAILURE.portInUse,
  FAILURE.verificationFailed,
  FAILURE.packageManagerMissing,
];

/** Exit codes scripts can branch on; documented in `incident --help`. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  refused: 4,
  unavailable: 5,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** How a failure reaches a person: the CLI's exit code and the API's HTTP status. */
export interface FailureReport {
  exit: ExitCode;
  /** Undefined: the API does not meet this error, or answers it as an internal error. */
  http?: number;
}

/**
 * The one table from the errors the CLI and API report (by their `name`) to exit code and HTTP
 * status. Anything not listed is a failure (exit 1, HTTP 500 unless it carries a 4xx status).
 */
export const REPORTED_FAILURES = {
  InvalidRequestError: { exit: EXIT.usage, http: 400 },
  ConfigError: { exit: EXIT.usage },
  EnvError: { exit: EXIT.usage },
  ApproverNotAllowedError: { exit: EXIT.refused, http: 403 },
  IncidentNotFoundError: { exit: EXIT.notFound, http: 404 },
  UpdateRefusedError: { exit: EXIT.refused, http: 409 },
  WorkflowExecutionAlreadyStartedError: { exit: EXIT.refused, http: 409 },
  EngineUnavailableError: { exit: EXIT.unavailable, http: 503 },
} as const satisfies Record<string, FailureReport>;
export type ReportedFailureName = keyof typeof REPORTED_FAILURES;

/** The table's row for an error, by its `name`; undefined for anything unlisted. */
export function reportOf(error: unknown): FailureReport | undefined {
  const name = (error as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' && Object.hasOwn(REPORTED_FAILURES, name)
    ? REPORTED_FAILURES[name as ReportedFailureName]
    : undefined;
}
