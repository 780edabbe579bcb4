/**
 * The CI-hangs scenario's "cancel stuck job" (`gh run cancel <run-id>`) through the command
 * configured in `target.ciCancel`; the run ID replaces an argument that is exactly `{runId}`.
 */
import { join } from 'node:path';
import { assertToken } from '../../domain/git-safety';
import { FAILURE } from '../../domain/failure-types';
import { commandEnv, currentContext, failure, validated } from '../support/activity-context';
import type { ActivityDeps } from '../deps';
import { incidentDir } from '../incident/records';
import { lastLines, runProcess } from '../support/run-process';

export function createCiActivities(deps: ActivityDeps) {
  return {
    /**
     * Cancels a CI run. Safe to run twice: cancelling an already cancelled run is the CI's own
     * no-op (gh answers success or "cannot be cancelled"; both end in a cancelled run).
     */
    async cancelCiJob(input: { incidentId: string; runId: string }): Promise<{ tail: string }> {
      const runId = validated(() => assertToken(input.runId, 'runId'));
      const spec = deps.config.target.ciCancel;
      if (!spec) throw failure(FAILURE.notConfigured, 'target.ciCancel is not configured');
      const ctx = currentContext();
      const result = await runProcess({
        argv: spec.argv.map((arg) => (arg === '{runId}' ? runId : arg)),
        cwd: deps.config.target.repoPath ?? process.cwd(),
        env: commandEnv(),
        timeoutMs: spec.timeoutMs,
        logPath: join(incidentDir(deps, input.incidentId), 'logs', 'cancel-ci-job.log'),
        marker: `${input.incidentId}/cancel-ci-job/${process.pid}-${Date.now()}`,
        signal: ctx?.cancellationSignal,
        onProgress: (tail) => ctx?.heartbeat(lastLines(tail, 5)),
      });
      if (result.exitCode !== 0)
        throw failure(
          result.timedOut ? FAILURE.commandTimedOut : FAILURE.commandFailed,
          `CI cancel for run ${runId} failed:\n${lastLines(result.tail)}`,
        );
      return { tail: lastLines(result.tail, 5) };
    },
  };
}
