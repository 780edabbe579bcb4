import { ApplicationFailure } from '@temporalio/common';
import type { DiagnosticId } from '../domain/scenarios';
import type { ActivityDeps } from './deps';

/**
 * Contract for triage. PLACEHOLDER until the rollback/runbook work (issue 4) implements the
 * real commands against the target repository; every call currently fails non-retryably so the
 * workflow records "diagnostic unavailable" instead of pretending.
 */
export interface DiagnosticInput {
  incidentId: string;
  diagnostic: DiagnosticId;
  /** Defaults to the configured target repository. */
  repoPath?: string;
}

export interface DiagnosticResult {
  diagnostic: DiagnosticId;
  ok: boolean;
  /** One line for the timeline. */
  summary: string;
  /** Last lines of the command output. */
  tail?: string;
  /** Where the full log is, under incidents/<ID>/logs/. */
  logPath?: string;
}

export interface RepositorySnapshotInput {
  incidentId: string;
  repoPath?: string;
}

/** What triage needs to answer "is this a regression": HEAD, the known-good tag, what changed. */
export interface RepositorySnapshot {
  head: string;
  knownGood?: { tag: string; sha: string };
  commitsSinceKnownGood: { sha: string; subject: string }[];
}

export function createDiagnosticActivities(_deps: ActivityDeps) {
  return {
    runDiagnostic(input: DiagnosticInput): Promise<DiagnosticResult> {
      return Promise.reject(
        ApplicationFailure.create({
          type: 'DiagnosticUnavailable',
          nonRetryable: true,
          message: `diagnostic ${input.diagnostic} is not implemented yet`,
        }),
      );
    },
    snapshotRepository(_input: RepositorySnapshotInput): Promise<RepositorySnapshot> {
      return Promise.reject(
        ApplicationFailure.create({
          type: 'DiagnosticUnavailable',
          nonRetryable: true,
          message: 'repository snapshot is not implemented yet',
        }),
      );
    },
  };
}
