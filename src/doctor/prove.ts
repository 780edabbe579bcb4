/**
 * Proves a doctor config the way the engine would use it: in a scratch worktree
 * (`git worktree add --detach`) of the known-good tag, the engine's own runbook-command and
 * service code runs install, build, widget build, tests, starts the server on a free port, probes
 * health, runs the contract test against it and stops it; then the worktree is removed. Each
 * rollback procedure is possible only when every step it uses passed.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { freePort } from '../activities/support/free-port';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { execRunbookCommand } from '../activities/target/commands';
import type { ActivityDeps } from '../activities/deps';
import { lastLines } from '../activities/support/run-process';
import { createServiceActivities } from '../activities/target/services';
import type { RunbookCommandName } from '../config/target';
import { parseEngineConfig } from '../config/engine-config';

export type ProofStepId =
  | 'worktree'
  | 'install'
  | 'build'
  | 'build-widgets'
  | 'widgets-built'
  | 'test'
  | 'start-server'
  | 'contract-test'
  | 'stop-server';

export interface ProofStep {
  id: ProofStepId;
  ok: boolean;
  detail: string;
  durationMs: number;
}

/** The steps each of the guide's rollback procedures runs (src/workflows/rollback/). */
export const PROCEDURE_STEPS = {
  widget: ['install', 'build-widgets', 'test', 'widgets-built'],
  mcp: ['install', 'start-server', 'contract-test', 'stop-server'],
  full: ['install', 'build', 'start-server', 'test', 'contract-test', 'stop-server'],
} as const satisfies Record<string, readonly ProofStepId[]>;
export type ProcedureName = keyof typeof PROCEDURE_STEPS;

export interface ProofResult {
  ref: string;
  steps: ProofStep[];
  /** The widgets folder the build really wrote `*.html` to. */
  widgetsDist?: string;
  procedures: Record<ProcedureName, { ok: boolean; failed: ProofStepId[] }>;
}

export interface ProveOptions {
  repo: string;
  /** The config to prove (raw, as written); its repoPath and port are replaced for the proof. */
  raw: { target: Record<string, unknown> };
  ref: string;
  widgetsDistCandidates: string[];
  onStep?: (step: ProofStep) => void;
}

/** The line of a command's output that says how it went (`# pass 3`, `built 2 widgets`), else its last. */
export function summaryLine(tail: string): string {
  const lines = tail
    .trimEnd()
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return (
    lines.findLast((line) => /^# pass \d+|\b(passed|built|complete|added \d+|done in)\b/i.test(line)) ??
    lines.at(-1) ??
    'ok'
  );
}

const message = (error: unknown) => lastLines(error instanceof Error ? error.message : String(error), 8);

export async function proveConfig(options: ProveOptions): Promise<ProofResult> {
  const scratch = await mkdtemp(join(tmpdir(), 'incident-doctor-'));
  const worktree = join(scratch, 'worktree');
  const steps: ProofStep[] = [];
  let widgetsDist: string | undefined;
  const record = async (id: ProofStepId, run: () => Promise<string>): Promise<boolean> => {
    const started = Date.now();
    let step: ProofStep;
    try {
      step = { id, ok: true, detail: await run(), durationMs: Date.now() - started };
    } catch (error) {
      step = { id, ok: false, detail: message(error), durationMs: Date.now() - started };
    }
    steps.push(step);
    options.onStep?.(step);
    return step.ok;
  };
  try {
    const added = await record('worktree', async () => {
      await execa('git', ['worktree', 'add', '--detach', worktree, options.ref], { cwd: options.repo });
      return `${options.ref} checked out in ${worktree}`;
    });
    if (added) {
      const deps = await proofDeps(options, worktree, scratch);
      const services = createServiceActivities(deps);
      const command = (id: ProofStepId, name: RunbookCommandName) =>
        record(id, async () => {
          const result = await execRunbookCommand(deps, { incidentId: 'DOCTOR', command: name, step: id });
          if (result.timedOut) throw new Error(`timed out; log ${result.logPath}`);
          if (result.exitCode !== 0)
            throw new Error(`exited with ${result.exitCode ?? 'no code'}:\n${lastLines(result.tail, 6)}`);
          return `${summaryLine(result.tail)} (${Math.round(result.durationMs)} ms)`;
        });
      if (await command('install', 'install')) {
        await command('build', 'build');
        await command('build-widgets', 'buildWidgets');
        await record('widgets-built', async () => {
          for (const dir of options.widgetsDistCandidates) {
            const html = (await readdir(join(worktree, dir)).catch(() => [] as string[])).filter((f) =>
              f.endsWith('.html'),
            );
            if (html.length > 0) {
              widgetsDist = dir;
              return `${html.length} widget(s) in ${dir}/: ${html.join(', ')}`;
            }
          }
          throw new Error(
            `no *.html in any of ${options.widgetsDistCandidates.join(', ')} after the widget build`,
          );
        });
        await command('test', 'test');
        // The one service doctor writes, under whatever key the operator chose.
        const [service, svc] = Object.entries(deps.config.target.services)[0] ?? [];
        const started = await record('start-server', async () => {
          if (!service || !svc) throw new Error('no service in the config');
          const state = await services.startService({ service, repoPath: worktree });
          return `${svc.start.join(' ')} healthy at ${state.healthUrl} (${svc.portEnv}=${svc.port}, pid ${state.pid ?? '?'})`;
        });
        await command('contract-test', 'contractTest');
        if (started)
          await record('stop-server', async () => {
            const state = await services.stopService({ service: service!, repoPath: worktree });
            return `${state.action} (pid ${state.pid ?? '?'})`;
          });
      }
    }
  } finally {
    await execa('git', ['worktree', 'remove', '--force', worktree], { cwd: options.repo, reject: false });
    await execa('git', ['worktree', 'prune'], { cwd: options.repo, reject: false });
    await rm(scratch, { recursive: true, force: true });
  }
  const passed = new Set(steps.filter((s) => s.ok).map((s) => s.id));
  const procedures = Object.fromEntries(
    Object.entries(PROCEDURE_STEPS).map(([name, ids]) => {
      const failed = ids.filter((id) => !passed.has(id));
      return [name, { ok: failed.length === 0, failed }];
    }),
  ) as ProofResult['procedures'];
  return { ref: options.ref, steps, widgetsDist, procedures };
}

/** The config under proof, pointed at the worktree with the service on a free port. */
async function proofDeps(options: ProveOptions, worktree: string, scratch: string): Promise<ActivityDeps> {
  const target = options.raw.target;
  const services = (target.services ?? {}) as Record<string, Record<string, unknown>>;
  const port = await freePort();
  const moved = Object.fromEntries(
    Object.entries(services).map(([name, svc]) => [
      name,
      {
        ...svc,
        port,
        ...(typeof svc.healthUrl === 'string'
          ? { healthUrl: svc.healthUrl.replace(/:\d+(?=\/|$)/, `:${port}`) }
          : {}),
      },
    ]),
  );
  const config = parseEngineConfig(
    { incidentsDir: join(scratch, 'incidents'), target: { ...target, repoPath: worktree, services: moved } },
    'doctor proof config',
  );
  return { config, incidentsDir: join(scratch, 'incidents'), log: () => undefined, now: () => new Date() };
}
