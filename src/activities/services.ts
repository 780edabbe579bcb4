/**
 * The target's services (the MCP server): started detached with a PID file and a marker in their
 * environment, health-checked before success, stopped by recorded PID (verified to be ours by its
 * marker) or by the port's listener (only if it is ours), never by a broad process name.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceConfig } from '../config/target';
import { FAILURE } from '../domain/failure-types';
import { commandEnv, failure, heartbeat } from './activity-context';
import { serviceEnv } from './commands';
import type { ActivityDeps } from './deps';
import { findMarked, hasMarker, isAlive, killTree, listeningPids, MARKER_ENV } from './process-tree';
import { resolveRepo } from './repo';

export interface ServiceInput {
  service: string;
  repoPath?: string;
}
export interface ServiceState {
  service: string;
  /** started | already-healthy | stopped | not-running */
  action: 'started' | 'already-healthy' | 'stopped' | 'not-running';
  pid?: number;
  healthUrl: string;
}

interface PidRecord {
  pid: number;
  marker: string;
  startedAt: string;
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

const pidFileOf = (repo: string, name: string, svc: ServiceConfig) =>
  svc.pidFile ? resolve(repo, svc.pidFile) : join(repo, '.incident', `${name}.pid`);

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
    return Number.isInteger(record.pid) && record.pid > 1 ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Stops every process of the service that is provably ours; returns the PIDs signalled. */
async function stopOurs(repo: string, name: string, svc: ServiceConfig): Promise<number[]> {
  const marker = serviceMarker(repo, name);
  const pidFile = pidFileOf(repo, name, svc);
  const record = await readPidRecord(pidFile);
  const leader =
    record && isAlive(record.pid) && (await hasMarker(record.pid, marker)) ? record.pid : undefined;
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
     * answers. Already healthy → no-op; a previous attempt's process still starting → waits for
     * it. A process that exits or stays unhealthy past `startTimeoutMs` is killed with its tree
     * and the step fails `ServiceUnhealthy` with the log's tail. Heartbeats while waiting.
     */
    async startService(input: ServiceInput): Promise<ServiceState> {
      const svc = lookup(deps, input.service);
      const repo = resolveRepo(deps, input.repoPath);
      const url = healthUrlOf(svc);
      const pidFile = pidFileOf(repo, input.service, svc);
      const marker = serviceMarker(repo, input.service);
      const recorded = await readPidRecord(pidFile);
      if (await probeHealth(url))
        return { service: input.service, action: 'already-healthy', pid: recorded?.pid, healthUrl: url };
      let pid =
        recorded && isAlive(recorded.pid) && (await hasMarker(recorded.pid, marker))
          ? recorded.pid
          : undefined;
      const logPath = join(dirname(pidFile), `${input.service}.log`);
      if (pid === undefined) {
        await stopOurs(repo, input.service, svc);
        await mkdir(dirname(pidFile), { recursive: true });
        const fd = openSync(logPath, 'a');
        const child = spawn(svc.start[0]!, svc.start.slice(1), {
          cwd: repo,
          detached: true,
          stdio: ['ignore', fd, fd],
          env: commandEnv({ ...serviceEnv(deps), [svc.portEnv]: String(svc.port), [MARKER_ENV]: marker }),
        });
        closeSync(fd);
        child.on('error', () => undefined);
        child.unref();
        pid = child.pid;
        if (pid === undefined)
          throw failure(FAILURE.serviceUnhealthy, `could not spawn ${svc.start.join(' ')}`);
        const record: PidRecord = { pid, marker, startedAt: new Date().toISOString() };
        await writeFile(`${pidFile}.tmp`, JSON.stringify(record));
        await rename(`${pidFile}.tmp`, pidFile);
      }
      const deadline = Date.now() + svc.startTimeoutMs;
      while (Date.now() < deadline) {
        heartbeat({ service: input.service, pid });
        if (await probeHealth(url, 500))
          return { service: input.service, action: 'started', pid, healthUrl: url };
        if ((await findMarked(marker)).length === 0) break;
        await sleep(200);
      }
      await stopOurs(repo, input.service, svc).catch(() => undefined);
      const log = await readFile(logPath, 'utf8').catch(() => '');
      throw failure(
        FAILURE.serviceUnhealthy,
        `${input.service} did not become healthy at ${url}:\n${log.trimEnd().split('\n').slice(-10).join('\n')}`,
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
