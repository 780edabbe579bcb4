import type { Client, WorkflowHandle } from '@temporalio/client';
import { z } from 'zod';
import type { EngineConfig } from '../config/engine-config';
import { refNameProblem } from '../domain/git-safety';
import { SAFE_NAME } from '../contracts/incident';
import { ROLLBACK_WORKFLOW_TYPES, type RollbackInput } from '../contracts/rollback';
import { checkCommitIsh, configuredRepo, resolveCommit } from './commit-ish';
import { parseOrThrow } from './validation';

const perMode = (input: { mode: string; badCommit?: string; knownGood?: string }, ctx: z.RefinementCtx) => {
  if (input.mode === 'revert' && !input.badCommit) {
    ctx.addIssue({ code: 'custom', path: ['badCommit'], message: 'mode revert needs the commit to revert' });
  }
  if (input.mode !== 'revert' && !input.knownGood) {
    ctx.addIssue({
      code: 'custom',
      path: ['knownGood'],
      message: `mode ${input.mode} needs a known-good SHA or tag`,
    });
  }
};

const incidentId = z.string().regex(SAFE_NAME, 'must be an incident ID such as INCIDENT-20261127-163000');
const procedure = z.enum(['widget', 'mcp', 'full']);
const mode = z.enum(['revert', 'reset', 'checkout']);

/** A ref git accepts (`git check-ref-format` rules) that cannot pass for an option. */
const refName = z.string().superRefine((ref, ctx) => {
  const problem = refNameProblem(ref);
  if (problem) ctx.addIssue({ code: 'custom', message: `must be a commit SHA or tag: ${problem}` });
});

/** What reaches the workflow: the contract's RollbackInput, commit resolved to its full SHA. */
export const rollbackInputSchema = z
  .object({
    incidentId,
    procedure,
    repoPath: z.string().min(1).max(4_096).optional(),
    mode,
    badCommit: z
      .string()
      .regex(/^[0-9a-f]{40}$/, 'must be a full 40-hex commit SHA')
      .optional(),
    knownGood: refName.optional(),
  })
  .strict()
  .superRefine(perMode);

/** What `incident rollback` accepts from a person: any commit-ish, resolved by {@link prepareRollback}. */
export const rollbackOptionsSchema = z
  .object({
    incidentId,
    procedure,
    repoPath: z.string().min(1).max(4_096).optional(),
    mode,
    badCommit: z.string().min(1).max(200).optional(),
    knownGood: refName.optional(),
  })
  .strict()
  .superRefine(perMode);

/**
 * Turns what a person typed into a RollbackInput, before anything starts: the refs by git's own
 * rules, the repository only the configured target (by realpath), `--bad-commit` resolved there to
 * its full SHA and `--known-good` checked to name a commit there. Throws InvalidRequestError.
 */
export async function prepareRollback(config: EngineConfig, raw: unknown): Promise<RollbackInput> {
  const options = parseOrThrow(rollbackOptionsSchema, raw);
  if (options.badCommit) checkCommitIsh(options.badCommit, 'badCommit');
  const repoPath = await configuredRepo(config.target.repoPath, options.repoPath);
  const input: RollbackInput = { ...options, repoPath };
  if (options.badCommit) input.badCommit = await resolveCommit(repoPath, options.badCommit, 'badCommit');
  if (options.knownGood) await resolveCommit(repoPath, options.knownGood, 'knownGood');
  return parseOrThrow(rollbackInputSchema, input);
}

/** One rollback per procedure and incident at a time: a second start while one runs is refused. */
export const rollbackWorkflowId = (input: Pick<RollbackInput, 'procedure' | 'incidentId'>): string =>
  `rollback-${input.procedure}-${input.incidentId}`;

/**
 * Starts a rollback procedure on its own (not as an incident's child), by workflow type name so
 * the CLI never imports the implementation. Throws WorkflowExecutionAlreadyStartedError when the
 * same procedure already runs for the incident.
 */
export async function startRollback(
  client: Client,
  rawInput: unknown,
  taskQueue: string,
): Promise<{ workflowId: string; handle: WorkflowHandle }> {
  const input = parseOrThrow(rollbackInputSchema, rawInput) as RollbackInput;
  const workflowId = rollbackWorkflowId(input);
  const handle = await client.workflow.start(ROLLBACK_WORKFLOW_TYPES[input.procedure], {
    workflowId,
    taskQueue,
    args: [input],
    workflowIdConflictPolicy: 'FAIL',
    staticSummary: `${input.procedure} rollback (${input.mode}) for ${input.incidentId}`,
  });
  return { workflowId, handle };
}
