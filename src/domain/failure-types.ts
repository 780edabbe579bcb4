/**
 * The `type` of every ApplicationFailure the runbook activities raise. Workflows list the
 * non-retryable ones in their retry policies; the activities set `nonRetryable` where retrying
 * can never help (hostile input, a merge conflict, a failed verification).
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
} as const;
export type FailureType = (typeof FAILURE)[keyof typeof FAILURE];

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
