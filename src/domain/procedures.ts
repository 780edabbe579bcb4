/**
 * The rollback procedures as data: the ordered steps each one takes, built from the target config
 * and the rollback input. `incident plan` prints this list and the rollback workflows run it, so
 * what the operator approves is what runs. Pure: no I/O, no config loading, no workflow imports.
 */
import type { RollbackProcedure } from '../contracts/rollback';

export type ProcedureMode = 'revert' | 'reset' | 'checkout';

/** git: changes or reads the working copy; command: a runbook command; service: stop/start; check: verification. */
export type ProcedureStepKind = 'git' | 'command' | 'service' | 'check';

/**
 * What the workflow runs for a step (the activity behind it). Targets named `<bad-commit>` and
 * `<known-good>` are resolved by an earlier recorded step when the input does not name them.
 */
export type ProcedureAction =
  | { type: 'acquire-lock' }
  | { type: 'release-lock' }
  | { type: 'recent-commits'; limit: number; path?: string }
  | { type: 'snapshot' }
  | { type: 'save-backup' }
  | { type: 'stop-service'; service: string }
  | { type: 'start-service'; service: string }
  | { type: 'resolve-bad-commit' }
  | { type: 'revert-path'; path: string }
  | { type: 'revert-commit' }
  | { type: 'find-known-good-tag' }
  | { type: 'resolve-known-good' }
  | { type: 'reset-to-commit' }
  | { type: 'checkout-known-good' }
  | { type: 'remove-node-modules' }
  | { type: 'run-command'; command: string; retries: 'install' | 'final' }
  | { type: 'list-widgets' };

export interface ProcedureUndo {
  /** The undo's step ID as the result records it: `undo-<step id>`. */
  id: string;
  description: string;
  argv?: string[];
  service?: string;
  /** Only an effect that took place is undone (stop-service: only when it stopped something). */
  when?: string;
}

export interface ProcedureStep {
  /** Stable kebab-case step ID, the same as `RollbackStepRecord.step`. */
  id: string;
  kind: ProcedureStepKind;
  description: string;
  /** The exact program and arguments (placeholders `<bad-commit>` / `<known-good>` until resolved). */
  argv: string[];
  /** Working directory (the repository). */
  cwd: string;
  service?: string;
  /** Changes the working copy or a running service. */
  destructive: boolean;
  undo?: ProcedureUndo;
  /** Runs only under this condition (otherwise the step is not recorded). */
  when?: 'bad-commit-not-found' | 'known-good-not-found';
  action: ProcedureAction;
}

export interface ProcedurePlan {
  procedure: RollbackProcedure;
  mode: ProcedureMode;
  repoPath: string;
  services: string[];
  /** The path the MCP revert is limited to. */
  path?: string;
  badCommit?: string;
  knownGood?: string;
  steps: ProcedureStep[];
  /** Why a requested service was not used, and similar. */
  notes: string[];
}

/** What the builder needs of the target config (structurally, so `Target` fits). */
export interface ProcedureTarget {
  repoPath?: string;
  knownGoodTagPattern?: string;
  paths: { mcp: string };
  services: Record<string, { start: string[]; port: number }>;
  runbook: Record<string, { argv: string[] }>;
}

/** What the builder needs of the rollback input (structurally, so `RollbackInput` fits). */
export interface ProcedureInput {
  procedure: RollbackProcedure;
  mode: ProcedureMode;
  repoPath?: string;
  badCommit?: string;
  knownGood?: string;
  path?: string;
  /** MCP revert: the whole commit instead of the path's part. */
  revertWholeCommit?: boolean;
  services?: string[];
}

/** A plan that cannot be built (e.g. no services configured for a procedure that restarts them). */
export class ProcedurePlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProcedurePlanError';
  }
}

/** The repository folder shown when neither input nor config name one. */
export const UNCONFIGURED_REPO = '<target.repoPath>';

/** Services the procedure stops and starts: the input's configured ones, else every configured one. */
function servicesFor(input: ProcedureInput, target: ProcedureTarget, notes: string[]): string[] {
  const configured = Object.keys(target.services);
  const requested = input.services ?? [];
  const known = requested.filter((s) => configured.includes(s));
  for (const s of requested.filter((s) => !configured.includes(s)))
    notes.push(`service ${JSON.stringify(s)} is not in target.services; not stopped or started`);
  const services = known.length > 0 ? known : configured;
  if (services.length === 0)
    throw new ProcedurePlanError(
      `the ${input.procedure} rollback restarts services, but target.services is empty`,
    );
  return input.procedure === 'mcp' ? services.slice(0, 1) : services;
}

interface Builder {
  plan: ProcedurePlan;
  target: ProcedureTarget;
  add(step: Omit<ProcedureStep, 'cwd' | 'destructive'> & { destructive?: boolean }): void;
}

const BAD = '<bad-commit>';
const GOOD = '<known-good>';

function runbookArgv(target: ProcedureTarget, command: string): string[] {
  const spec = target.runbook[command];
  if (!spec) throw new ProcedurePlanError(`no runbook command named ${command} in target.runbook`);
  return spec.argv;
}

function command(b: Builder, id: string, name: string, retries: 'install' | 'final', description: string) {
  b.add({
    id,
    kind: id.startsWith('verify-') ? 'check' : 'command',
    description,
    argv: runbookArgv(b.target, name),
    destructive: false,
    action: { type: 'run-command', command: name, retries },
  });
}

function stopStep(b: Builder, id: string, service: string) {
  const svc = b.target.services[service]!;
  b.add({
    id,
    kind: 'service',
    service,
    description: `stop ${service} by its recorded PID / the engine's listener on port ${svc.port}`,
    argv: ['kill', '-TERM', `<pid of ${service}>`],
    destructive: true,
    undo: {
      id: `undo-${id}`,
      description: `start ${service} again`,
      argv: svc.start,
      service,
      when: 'only when the step stopped a running process',
    },
    action: { type: 'stop-service', service },
  });
}

function startStep(b: Builder, id: string, service: string) {
  const svc = b.target.services[service]!;
  b.add({
    id,
    kind: 'service',
    service,
    description: `start ${service} detached and wait for its health check`,
    argv: svc.start,
    destructive: true,
    undo: { id: `undo-${id}`, description: `stop ${service}`, service },
    action: { type: 'start-service', service },
  });
}

/** The known-good candidates, newest version first, as the snapshot activity lists them. */
const knownGoodTagsArgv = (target: ProcedureTarget): string[] => [
  'git',
  'tag',
  '--list',
  '--merged',
  'HEAD',
  '--sort=-v:refname',
  target.knownGoodTagPattern ?? 'v*',
];

function saveBackup(b: Builder, incidentRef: string) {
  b.add({
    id: 'save-backup',
    kind: 'git',
    description: 'save HEAD to the incident backup ref (kept if already there)',
    argv: ['git', 'update-ref', incidentRef, 'HEAD'],
    destructive: false,
    action: { type: 'save-backup' },
  });
}

const restoreUndo = (id: string): ProcedureUndo => ({
  id: `undo-${id}`,
  description: 'restore the backup ref (and the branch HEAD was on)',
  argv: ['git', 'reset', '--hard', '<backup ref>'],
});

/** The mode's git change, as applyGitChange runs it. */
function gitChange(
  b: Builder,
  options: { badCommitFromRecent?: boolean; path?: string; knownGoodFromSnapshot?: boolean },
) {
  const { plan } = b;
  if (plan.mode === 'revert') {
    if (!plan.badCommit)
      b.add({
        id: 'resolve-bad-commit',
        kind: 'git',
        description: 'resolve HEAD to the explicit SHA to revert',
        argv: ['git', 'rev-parse', 'HEAD'],
        destructive: false,
        ...(options.badCommitFromRecent ? { when: 'bad-commit-not-found' as const } : {}),
        action: { type: 'resolve-bad-commit' },
      });
    const sha = plan.badCommit ?? BAD;
    if (options.path !== undefined)
      b.add({
        id: 'revert-path',
        kind: 'git',
        description: `revert only ${options.path}'s part of ${sha} in a new commit`,
        argv: [
          'git',
          'diff-tree',
          '-p',
          '--binary',
          sha,
          '--',
          options.path,
          '|',
          'git',
          'apply',
          '-R',
          '--index',
          '&&',
          'git',
          'commit',
        ],
        undo: restoreUndo('revert-path'),
        action: { type: 'revert-path', path: options.path },
      });
    else
      b.add({
        id: 'revert-commit',
        kind: 'git',
        description: `revert ${sha} in a new commit (nothing if already reverted)`,
        argv: ['git', 'revert', '--no-edit', sha],
        undo: restoreUndo('revert-commit'),
        action: { type: 'revert-commit' },
      });
    return;
  }
  if (!plan.knownGood)
    b.add({
      id: 'find-known-good-tag',
      kind: 'git',
      description: 'the newest tag matching target.knownGoodTagPattern',
      argv: knownGoodTagsArgv(b.target),
      destructive: false,
      ...(options.knownGoodFromSnapshot ? { when: 'known-good-not-found' as const } : {}),
      action: { type: 'find-known-good-tag' },
    });
  const ref = plan.knownGood ?? GOOD;
  if (plan.mode === 'reset') {
    b.add({
      id: 'resolve-known-good',
      kind: 'git',
      description: `resolve ${ref} to an explicit SHA`,
      argv: ['git', 'rev-parse', ref],
      destructive: false,
      action: { type: 'resolve-known-good' },
    });
    b.add({
      id: 'reset-to-commit',
      kind: 'git',
      description: `move the branch to ${ref} (only if ${ref} is in HEAD's history)`,
      argv: ['git', 'reset', '--hard', ref],
      undo: restoreUndo('reset-to-commit'),
      action: { type: 'reset-to-commit' },
    });
  } else
    b.add({
      id: 'checkout-known-good',
      kind: 'git',
      description: `check out ${ref} detached; the branch stays where it was and must be restored by a fix`,
      argv: ['git', 'checkout', '--detach', ref],
      undo: restoreUndo('checkout-known-good'),
      action: { type: 'checkout-known-good' },
    });
}

const BODIES: Record<RollbackProcedure, (b: Builder, backupRef: string) => void> = {
  widget: (b, backupRef) => {
    b.add({
      id: 'identify-known-good',
      kind: 'git',
      description: 'list the last 10 commits',
      argv: ['git', 'log', '--oneline', '-10'],
      destructive: false,
      action: { type: 'recent-commits', limit: 10 },
    });
    saveBackup(b, backupRef);
    gitChange(b, {});
    command(b, 'install', 'install', 'install', 'install dependencies');
    command(b, 'build-widgets', 'buildWidgets', 'final', 'rebuild the widgets');
    command(b, 'verify-tests', 'test', 'final', 'run the tests');
    b.add({
      id: 'verify-widgets',
      kind: 'check',
      description: 'the built widget files exist',
      argv: ['ls', '-l', 'dist/widgets/*.html'],
      destructive: false,
      action: { type: 'list-widgets' },
    });
  },
  mcp: (b, backupRef) => {
    // The whole-commit revert looks at every recent commit, not only the path's.
    const path = b.plan.path;
    const service = b.plan.services[0]!;
    b.add({
      id: 'identify-recent-changes',
      kind: 'git',
      description: path ? `the last 5 commits touching ${path}` : 'the last 5 commits',
      argv: ['git', 'log', '--oneline', '-5', ...(path ? ['--', path] : [])],
      destructive: false,
      action: { type: 'recent-commits', limit: 5, ...(path ? { path } : {}) },
    });
    saveBackup(b, backupRef);
    stopStep(b, 'stop-server', service);
    gitChange(
      b,
      b.plan.mode === 'revert' && path !== undefined
        ? { path, badCommitFromRecent: b.plan.badCommit === undefined }
        : {},
    );
    command(b, 'install', 'install', 'install', 'install dependencies');
    startStep(b, 'start-server', service);
    command(b, 'verify-contract', 'contractTest', 'final', 'run the MCP contract tests');
  },
  full: (b, backupRef) => {
    b.add({
      id: 'identify-stable-tag',
      kind: 'git',
      description: 'HEAD, the newest known-good tag and the commits since',
      argv: knownGoodTagsArgv(b.target),
      destructive: false,
      action: { type: 'snapshot' },
    });
    saveBackup(b, backupRef);
    for (const service of b.plan.services) stopStep(b, `stop-${service}`, service);
    gitChange(b, { knownGoodFromSnapshot: true });
    b.add({
      id: 'remove-node-modules',
      kind: 'git',
      description: 'clean install: remove node_modules',
      argv: ['rm', '-rf', 'node_modules'],
      action: { type: 'remove-node-modules' },
    });
    command(b, 'install', 'install', 'install', 'install dependencies');
    command(b, 'build', 'build', 'final', 'build everything');
    for (const service of b.plan.services) startStep(b, `start-${service}`, service);
    command(b, 'verify-tests', 'test', 'final', 'run the tests');
    command(b, 'verify-contract', 'contractTest', 'final', 'run the MCP contract tests');
  },
};

/**
 * The ordered steps of `input.procedure` in `input.mode` against `target`, lock steps included.
 * Services come from the input (those configured in target.services) or, without any, every
 * configured service (the MCP rollback takes the first); the MCP path from the input or
 * `target.paths.mcp`; every command's argv from `target.runbook`.
 */
export function buildProcedure(
  input: ProcedureInput & { incidentId?: string },
  target: ProcedureTarget,
): ProcedurePlan {
  const notes: string[] = [];
  const procedure = input.procedure;
  const repoPath = input.repoPath ?? target.repoPath ?? UNCONFIGURED_REPO;
  const plan: ProcedurePlan = {
    procedure,
    mode: input.mode,
    repoPath,
    services: procedure === 'widget' ? [] : servicesFor(input, target, notes),
    ...(procedure === 'mcp' && !(input.mode === 'revert' && input.revertWholeCommit)
      ? { path: input.path ?? target.paths.mcp }
      : {}),
    ...(input.badCommit ? { badCommit: input.badCommit } : {}),
    ...(input.knownGood ? { knownGood: input.knownGood } : {}),
    steps: [],
    notes,
  };
  const b: Builder = {
    plan,
    target,
    add: (step) => plan.steps.push({ destructive: true, ...step, cwd: repoPath }),
  };
  b.add({
    id: 'acquire-repo-lock',
    kind: 'git',
    description: 'take the repository lock (waits for another incident to release it)',
    argv: ['write', '<git dir>/incident-engine/lock.json'],
    destructive: false,
    action: { type: 'acquire-lock' },
  });
  BODIES[procedure](b, `refs/incident-backup/${input.incidentId ?? '<incident-id>'}`);
  b.add({
    id: 'release-repo-lock',
    kind: 'git',
    description: 'release the repository lock (also after a failure)',
    argv: ['rm', '<git dir>/incident-engine/lock.json'],
    destructive: false,
    action: { type: 'release-lock' },
  });
  return plan;
}

/** The step IDs a successful run records, in order (conditional steps excluded). */
export const successPathStepIds = (plan: ProcedurePlan): string[] =>
  plan.steps.filter((s) => s.when === undefined).map((s) => s.id);

/** One line per step, for the timeline, the proposal and `incident plan`. */
export function describeStep(step: ProcedureStep): string {
  const undo = step.undo
    ? `; undo: ${step.undo.description}${step.undo.argv ? ` (${step.undo.argv.join(' ')})` : ''}`
    : '';
  const when = step.when ? ` [only if ${step.when.replaceAll('-', ' ')}]` : '';
  return `${step.id}: ${step.argv.join(' ')} in ${step.cwd}${step.service ? ` (service ${step.service})` : ''}${when}${undo}`;
}
