import type { Client, WorkflowHandle } from '@temporalio/client';
import { z } from 'zod';
import { SAFE_NAME } from '../domain/incident';
import { ROLLBACK_WORKFLOW_TYPES, type RollbackInput } from '../workflows/rollback-contract';
import { parseOrThrow } from './validation';

/** What `incident rollback` accepts: the contract's RollbackInput, with the per-mode fields required. */
export const rollbackInputSchema = z
  .object({
    incidentId: z.string().regex(SAFE_NAME, 'must be an incident ID such as INCIDENT-20261127-163000'),
    procedure: z.enum(['widget', 'mcp', 'full']),
    repoPath: z.string().min(1).max(4_096).optional(),
    mode: z.enum(['revert', 'reset', 'checkout']),
    badCommit: z
      .string()
      .regex(/^[0-9a-f]{40}$/, 'must be a full 40-hex commit SHA')
      .optional(),
    knownGood: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/, 'must be a commit SHA or tag')
      .optional(),
  })
  .strict()
  .superRefine((input, ctx) => {
    if (input.mode === 'revert' && !input.badCommit) {
      ctx.addIssue({
        code: 'custom',
        path: ['badCommit'],
        message: 'mode revert needs the commit to revert',
      });
    }
    if (input.mode !== 'revert' && !input.knownGood) {
      ctx.addIssue({
        code: 'custom',
        path: ['knownGood'],
        message: `mode ${input.mode} needs a known-good SHA or tag`,
      });
    }
  });

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
