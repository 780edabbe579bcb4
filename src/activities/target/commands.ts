/**
 * Runbook commands (the guide's pnpm scripts) as an activity. Only commands named in the target
 * config run, with their configured argument arrays and timeouts; input never becomes argv.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CancelledFailure } from '@temporalio/common';
import type { RunbookCommandName } from '../../config/target';
import { assertRefName } from '../../domain/git-safety';
import { FAILURE } from '../../domain/failure-types';
import { commandEnv, currentContext, failure, validated } from '../support/activity-context';
import type { ActivityDeps } from '../deps';
import { commandFailureDetails } from '../support/failure-details';
import { describeResolved, PackageManagerMissingError, runbookProgram } from './package-manager';
import { hasMarker, killTree } from '../support/process-tree';
import { incidentDir } from '../incident/records';
import { resolveRepo } from '../support/repo';
import { lastLines, type RunProcessResult, runProcess } from '../support/run-process';

export interface RunCommandInput {
  incidentId: string;
  command: RunbookCommandName;
  /** Stable kebab-case step ID; names the log file `incidents/<ID>/logs/<step>.log`. */
  step: string;
  repoPath?: string;
}

export interface RunCommandResult {
  command: RunbookCommandName;
  exitCode: number;
  durationMs: number;
  tail: string;
  logPath: string;
}

/** What a running command heartbeats; a retry reads it back to clean up and to log the resume. */
export interface CommandHeartbeat {
  step: string;
  marker: string;
  pid?: number;
  tail: string;
}

/** Environment every runbook command gets: each service's port under its variable name. */
export function serviceEnv(deps: ActivityDeps): Record<string, string> {
  const env: Record<string, string> = {};
  for (const service of Object.values(deps.config.target.services))
    env[service.portEnv] = String(service.port);
  return env;
}

/**
 * Runs a configured command, heartbeating its tail. The marker ties its processes to this
 * activity (workflow ID + activity ID), so a retry after a worker crash first kills whatever the
 * crashed attempt left running, then starts clean.
 */
export async function execRunbookCommand(
  deps: ActivityDeps,
  input: RunCommandInput,
): Promise<RunProcessResult> {
  const spec = deps.config.target.runbook[input.command];
  if (!spec) throw failure(FAILURE.notConfigured, `no runbook command named ${input.command}`);
  validated(() => assertRefName(input.step, 'step'));
  const repo = resolveRepo(deps, input.repoPath);
  const dir = incidentDir(deps, input.incidentId);
  const logPath = join(dir, 'logs', `${input.step}.log`);
  await mkdir(dirname(logPath), { recursive: true });
  const ctx = currentContext();
  const info = ctx?.info;
  const marker = info
    ? `${info.workflowExecution?.workflowId ?? info.activityType}/${info.activityId}`
    : `${input.incidentId}/${input.step}/${process.pid}-${Date.now()}`;
  if (info && info.attempt > 1) {
    // Resume after a crash: the last heartbeat names the dead attempt's process group; kill it
    // (only if it still carries this activity's marker) and everything else marked, then start
    // clean. The log says where the previous attempt got to.
    const previous = info.heartbeatDetails as CommandHeartbeat | undefined;
    const pgid =
      previous?.pid !== undefined && (await hasMarker(previous.pid, marker)) ? previous.pid : undefined;
    const killed = await killTree({ pgid, marker, graceMs: 1_000 });
    await appendFile(
      logPath,
      `\n=== attempt ${info.attempt} resumes; killed ${killed.length} leftover process(es)${previous?.tail ? `; last output before the crash:\n${previous.tail}` : ''}\n`,
    ).catch(() => undefined);
  }
  const program = await runbookProgram(
    repo,
    input.command,
    spec.argv,
    commandEnv({ ...serviceEnv(deps), ...spec.env }),
  ).catch((error: unknown) => {
    if (error instanceof PackageManagerMissingError)
      throw failure(FAILURE.packageManagerMissing, error.message);
    throw error;
  });
  if (program.resolved) await appendFile(logPath, `\n=== ${describeResolved(program.resolved)}\n`);
  return runProcess({
    argv: program.argv,
    cwd: repo,
    env: program.env,
    timeoutMs: spec.timeoutMs,
    logPath,
    pidFile: join(dir, 'run', `${input.step}.pid`),
    marker,
    signal: ctx?.cancellationSignal,
    onProgress: (tail, pid) =>
      ctx?.heartbeat({ step: input.step, marker, pid, tail: lastLines(tail, 5) } satisfies CommandHeartbeat),
  });
}

export function createCommandActivities(deps: ActivityDeps) {
  return {
    /**
     * Runs one runbook command to completion. Retries are safe: the guide's commands (install,
     * build, test) are idempotent, and a retry kills the previous attempt's tree first. Throws
     * `CommandFailed` (exit code), `CommandTimedOut` (killed at the configured timeout) or a
     * cancellation after killing the tree; a failure's `details[0]` is a `StepFailure` (argv,
     * exit code or timeout, last meaningful lines, test summary, log path). Heartbeats about
     * every second.
     */
    async runRunbookCommand(input: RunCommandInput): Promise<RunCommandResult> {
      const result = await execRunbookCommand(deps, input);
      if (result.cancelled) throw new CancelledFailure(`${input.command} cancelled; process tree killed`);
      const spec = deps.config.target.runbook[input.command];
      if (result.timedOut)
        throw failure(
          FAILURE.commandTimedOut,
          `${input.command} ran past ${spec.timeoutMs} ms and was killed with its process tree`,
          await commandFailureDetails(FAILURE.commandTimedOut, spec.argv, {
            ...result,
            timeoutMs: spec.timeoutMs,
          }),
        );
      if (result.exitCode !== 0)
        throw failure(
          FAILURE.commandFailed,
          `${input.command} exited with ${result.exitCode ?? result.signal ?? 'no code'}:\n${lastLines(result.tail)}`,
          await commandFailureDetails(FAILURE.commandFailed, spec.argv, result),
        );
      return {
        command: input.command,
        exitCode: 0,
        durationMs: result.durationMs,
        tail: lastLines(result.tail, 5),
        logPath: result.logPath,
      };
    },
  };
}
