/**
 * The target's services (the MCP server): started detached with a PID file and a marker in their
 * environment, health-checked before success, stopped by recorded PID (verified to be ours by its
 * marker) or by the port's listener (only if it is ours), never by a broad process name. The PID
 * file and the server's log live in the repository's git directory
 * (`.git/incident-engine/services/`), never in the work tree, unless `pidFile` is configured.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { appendFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceConfig } from '../../config/target';
import { FAILURE } from '../../domain/failure-types';
import { meaningfulLines } from '../../domain/output-lines';
import { displayArgv, type StepFailure } from '../../contracts/step-failure';
import { commandEnv, currentContext, failure, heartbeat } from '../support/activity-context';
import { serviceEnv } from './commands';
import type { ActivityDeps } from '../deps';
import { describeResolved, PackageManagerMissingError, packageManagerProgram } from './package-manager';
import { gitDirOf } from '../support/git-state';
import { findMarked, hasMarker, isAlive, killTree, listeningPids, MARKER_ENV } from '../support/process-tree';
import { resolveRepo } from '../support/repo';

export interface ServiceInput {
  service: string;
  repoPath?: string;
  /** Who owns a server this start launches; defaults to the calling workflow's ID. */
  incidentId?: string;
}
export interface ServiceState {
  service: string;
  /**
   * started | adopted (a retry found the server an earlier attempt of the same owner started,
   * its result lost with a dead worker) | already-healthy (running before, not ours to claim) |
   * stopped | not-running
   */
  action: 'started' | 'adopted' | 'already-healthy' | 'stopped' | 'not-running';
  pid?: number;
  healthUrl: string;
  /** Whether the engine started the running server (its PID file and marker say so). */
  owned?: boolean;
  /** A sentence for the timeline when something happened an operator should know about. */
  note?: string;
}

/**
 * Written before the spawn (without `pid`) and again after it, so a worker that dies in between
 * still leaves the server marked as the owner's: the marker in its environment finds it.
 */
interface PidRecord {
  pid?: number;
  marker: string;
  startedAt: string;
  owner?: string;
}

export const healthUrlOf = (svc: ServiceConfig): string =>
  svc.healthUrl ?? `http://127.0.0.1:${svc.port}/health`;

/** One marker per repository and service, so a sweep never touches another checkout's server. */
const serviceMarker = (repo: string, name: string) => `service:${repo}#${name}`;

function lookup(deps: ActivityDeps, name: string): ServiceConfig {
  const svc = deps.config.target.services[name];
  if (!svc)
    throw failure(FAILURE.notConfigured, `no service named ${JSON.stringify(name)} in target.services`);
  return svc;
}

/**
 * The configured PID file (listed with its log in `.git/info/exclude` when it is inside the work
 * tree, so the engine never makes the tree dirty), else
 * `<git dir>/incident-engine/services/<name>.pid`, outside the work tree.
 */
async function pidFileOf(repo: string, name: string, svc: ServiceConfig): Promise<string> {
  if (svc.pidFile) {
    const path = resolve(repo, svc.pidFile);
    await excludeFromGit(repo, [path, join(dirname(path), `${name}.log`)]);
    return path;
  }
  const gitDir = await gitDirOf(repo).catch(() => undefined);
  return gitDir
    ? join(gitDir, 'incident-engine', 'services', `${name}.pid`)
    : join(repo, '.incident', `${name}.pid`);
}

/** Adds work-tree paths to `.git/info/exclude` once each; paths outside the tree are skipped. */
async function excludeFromGit(repo: string, paths: string[]): Promise<void> {
  const gitDir = await gitDirOf(repo).catch(() => undefined);
  if (!gitDir) return;
  const exclude = join(gitDir, 'info', 'exclude');
  const current = await readFile(exclude, 'utf8').catch(() => '');
  const have = new Set(current.split('\n'));
  const wanted = paths
    .map((path) => relative(repo, path))
    .filter((rel) => rel !== '' && !rel.startsWith('..') && !isAbsolute(rel))
    .map((rel) => `/${rel.split(sep).join('/')}`)
    .filter((line) => !have.has(line));
  if (wanted.length === 0) return;
  await mkdir(dirname(exclude), { recursive: true });
  const prefix = current === '' || current.endsWith('\n') ? '' : '\n';
  await appendFile(exclude, `${prefix}${wanted.join('\n')}\n`);
}

/** The incident (or, by default, the workflow) a start belongs to. */
const ownerOf = (input: ServiceInput): string | undefined =>
  input.incidentId ?? currentContext()?.info.workflowExecution?.workflowId;

async function writePidRecord(path: string, record: PidRecord): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.tmp`, JSON.stringify(record));
  await rename(`${path}.tmp`, path);
}

/**
 * The running server when this owner started it: the recorded PID if it still carries the
 * marker, else (the worker died before recording it) the oldest process carrying the marker.
 */
async function ownedLeader(record: PidRecord | undefined, marker: string, owner: string | undefined) {
  if (!record || owner === undefined || record.owner !== owner || record.marker !== marker) return undefined;
  if (record.pid !== undefined && isAlive(record.pid) && (await hasMarker(record.pid, marker)))
    return record.pid;
  return (await findMarked(marker)).sort((a, b) => a - b)[0];
}

export async function probeHealth(url: string, timeoutMs = 1_000): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

async function readPidRecord(path: string): Promise<PidRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(path, 'utf8')) as PidRecord;
    if (typeof record.marker !== 'string') return undefined;
    if (record.pid === undefined) return record;
    return Number.isInteger(record.pid) && record.pid > 1 ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Stops every process of the service that is provably ours; returns the PIDs signalled. */
async function stopOurs(repo: string, name: string, svc: ServiceConfig): Promise<number[]> {
  const marker = serviceMarker(repo, name);
  const pidFile = await pidFileOf(repo, name, svc);
  const record = await readPidRecord(pidFile);
  const leader =
    record?.pid !== undefined && isAlive(record.pid) && (await hasMarker(record.pid, marker))
      ? record.pid
      : undefined;
  const holders = await listeningPids(svc.port);
  const foreign: number[] = [];
  for (const pid of holders) if (!(await hasMarker(pid, marker))) foreign.push(pid);
  const killed = await killTree({ pgid: leader, marker, graceMs: svc.stopGraceMs });
  await rm(pidFile, { force: true });
  if (foreign.length > 0)
    throw failure(
      FAILURE.portInUse,
      `port ${svc.port} is held by PIDs ${foreign.join(', ')}, which the engine did not start`,
    );
  return killed;
}

export function createServiceActivities(deps: ActivityDeps) {
  return {
    /**
     * Starts a service detached (`pnpm mcp:start` by default) and waits until its health URL
     * answers. Safe to run twice: the owner (input `incidentId`, else the workflow ID) is written
     * to the PID file before the spawn, so a retry whose earlier attempt's result was lost with its
     * worker finds the healthy server and answers `adopted` (owned, stopped by the next stop step);
     * a server healthy before and not ours answers `already-healthy`, `owned: false`. A previous
     * attempt's process still starting → waits for it. A process that exits or stays unhealthy
     * past `startTimeoutMs` is killed with its tree and the step fails `ServiceUnhealthy` with the
     * log's last meaningful lines as details. Heartbeats while waiting.
     */
    async startService(input: ServiceInput): Promise<ServiceState> {
      const svc = lookup(deps, input.service);
      const repo = resolveRepo(deps, input.repoPath);
      const url = healthUrlOf(svc);
      const pidFile = await pidFileOf(repo, input.service, svc);
      const marker = serviceMarker(repo, input.service);
      const owner = ownerOf(input);
      const recorded = await readPidRecord(pidFile);
      if (await probeHealth(url)) {
        const leader = await ownedLeader(recorded, marker, owner);
        if (leader === undefined) {
          const marked = recorded?.pid !== undefined && (await hasMarker(recorded.pid, marker));
          return {
            service: input.service,
            action: 'already-healthy',
            pid: recorded?.pid,
            healthUrl: url,
            owned: marked,
          };
        }
        if (recorded!.pid !== leader) await writePidRecord(pidFile, { ...recorded!, pid: leader });
        const retry = (currentContext()?.info.attempt ?? 1) > 1;
        return {
          service: input.service,
          action: retry ? 'adopted' : 'already-healthy',
          pid: leader,
          healthUrl: url,
          owned: true,
          ...(retry && {
            note: `adopted the server started by an earlier attempt (pid ${leader}); it is stopped by the next rollback's stop step`,
          }),
        };
      }
      let pid =
        recorded?.pid !== undefined && isAlive(recorded.pid) && (await hasMarker(recorded.pid, marker))
          ? recorded.pid
          : undefined;
      const logPath = join(dirname(pidFile), `${input.service}.log`);
      if (pid === undefined) {
        await stopOurs(repo, input.service, svc);
        // Ownership first: a worker that dies mid-spawn leaves a record the retry recognises.
        const startedAt = new Date().toISOString();
        await writePidRecord(pidFile, { marker, startedAt, owner });
        // A start that names a package manager runs the binary the repository's pin allows.
        const program = await packageManagerProgram(
          repo,
          svc.start,
          commandEnv({ ...serviceEnv(deps), [svc.portEnv]: String(svc.port), [MARKER_ENV]: marker }),
        ).catch(async (error: unknown) => {
          await rm(pidFile, { force: true });
          if (error instanceof PackageManagerMissingError)
            throw failure(FAILURE.packageManagerMissing, error.message);
          throw error;
        });
        if (program.resolved) await appendFile(logPath, `\n=== ${describeResolved(program.resolved)}\n`);
        const fd = openSync(logPath, 'a');
        const child = spawn(program.argv[0]!, program.argv.slice(1), {
          cwd: repo,
          detached: true,
          stdio: ['ignore', fd, fd],
          env: program.env,
        });
        closeSync(fd);
        child.on('error', () => undefined);
        child.unref();
        pid = child.pid;
        if (pid === undefined)
          throw failure(FAILURE.serviceUnhealthy, `could not spawn ${svc.start.join(' ')}`);
        await writePidRecord(pidFile, { pid, marker, startedAt, owner });
      }
      const deadline = Date.now() + svc.startTimeoutMs;
      while (Date.now() < deadline) {
        heartbeat({ service: input.service, pid });
        if (await probeHealth(url, 500))
          return { service: input.service, action: 'started', pid, healthUrl: url, owned: true };
        // Gone only when the process we started has exited and nothing it started is left: right
        // after the spawn, before its exec, the child does not carry the marker yet.
        if (!isAlive(pid) && (await findMarked(marker)).length === 0) break;
        await sleep(200);
      }
      await stopOurs(repo, input.service, svc).catch(() => undefined);
      const log = await readFile(logPath, 'utf8').catch(() => '');
      const details: StepFailure = {
        type: FAILURE.serviceUnhealthy,
        command: displayArgv(svc.start),
        lines: meaningfulLines(log),
        logPath,
      };
      throw failure(
        FAILURE.serviceUnhealthy,
        `${input.service} did not become healthy at ${url}:\n${log.trimEnd().split('\n').slice(-10).join('\n')}`,
        details,
      );
    },

    /**
     * Stops a service by its recorded PID and marker, or by the port's listener when that is
     * ours; refuses (`PortInUse`) to touch a listener the engine did not start. Nothing running →
     * no-op, so a second run is harmless.
     */
    async stopService(input: ServiceInput): Promise<ServiceState> {
      const svc = lookup(deps, input.service);
      const repo = resolveRepo(deps, input.repoPath);
      const killed = await stopOurs(repo, input.service, svc);
      for (let i = 0; i < 50 && (await listeningPids(svc.port)).length > 0; i++) await sleep(100);
      return {
        service: input.service,
        action: killed.length > 0 ? 'stopped' : 'not-running',
        pid: killed[0],
        healthUrl: healthUrlOf(svc),
      };
    },

    /** Health probe for verification steps; fails `VerificationFailed` when unhealthy. */
    async checkServiceHealth(
      input: ServiceInput,
    ): Promise<{ service: string; healthy: true; healthUrl: string }> {
      const url = healthUrlOf(lookup(deps, input.service));
      for (let i = 0; i < 3; i++) {
        if (await probeHealth(url, 2_000)) return { service: input.service, healthy: true, healthUrl: url };
        await sleep(500);
      }
      throw failure(FAILURE.verificationFailed, `${input.service} is not healthy at ${url}`);
    },
  };
}
