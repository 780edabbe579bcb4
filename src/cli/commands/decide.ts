import type { Command } from 'commander';
import { DECISION_SCHEMAS, type DecisionVerb } from '../../contracts/decisions';
import { InvalidRequestError, UpdateRefusedError } from '../../use-cases/errors';
import { assertIncidentRef, lookupIncident } from '../../use-cases/lookup';
import { sendDecision } from '../../use-cases/send-decision';
import { fetchStatus } from '../../use-cases/status';
import { parseOrThrow } from '../../use-cases/validation';
import type { CliContext } from '../context';
import { answerCommands } from '../format';

const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Options every decision verb shares. */
export const addDecisionOptions = (command: Command): Command =>
  command
    .option(
      '--request-id <id>',
      'Update ID; the same ID again returns the first answer (default: derived from the input)',
    )
    .option('--json', 'print JSON');

/** `--fix-branch/--fix-commit/--fix-tag` as a fix reference; undefined when none is given. */
export function fixReference(opts: {
  fixBranch?: string;
  fixCommit?: string;
  fixTag?: string;
}): Record<string, string> | undefined {
  const given = Object.entries({ branch: opts.fixBranch, commit: opts.fixCommit, tag: opts.fixTag }).filter(
    (entry): entry is [string, string] => Boolean(entry[1]),
  );
  return given.length ? Object.fromEntries(given) : undefined;
}

/**
 * Sends a decision as a Workflow Update and prints the workflow's answer; a refusal throws with
 * the workflow's reason (one line on stderr, exit code 4). The default Update ID is derived from
 * the verb, incident and input, so re-running the same command after a lost answer is harmless.
 */
export async function runDecision(
  ctx: CliContext,
  id: string,
  verb: DecisionVerb,
  input: Record<string, unknown>,
  requestId: string | undefined,
): Promise<void> {
  if (requestId !== undefined && !REQUEST_ID.test(requestId)) {
    throw new InvalidRequestError('--request-id must be 1-128 of A-Z a-z 0-9 . _ : -', 'request-id');
  }
  // Drop options the user did not give, so the schema's defaults and optional fields apply.
  const cleaned = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  // Bad arguments are exit 2 whether or not Temporal is up: check them before connecting.
  assertIncidentRef(id);
  parseOrThrow(DECISION_SCHEMAS[verb], cleaned);
  const client = await ctx.client();
  const ref = await lookupIncident(client, id);
  const updateId = requestId === undefined ? undefined : `${verb}-${requestId}`;
  const outcome = await sendDecision(client, ctx.config.policy, ref, verb, cleaned, {
    updateId,
    via: 'cli',
  }).catch(async (error: unknown) => {
    if (verb === 'approve' && error instanceof UpdateRefusedError) {
      // "nothing is waiting for approval" alone leaves the operator guessing what is waiting.
      const status = await fetchStatus(client, ref).catch(() => undefined);
      const answer = status && answerCommands(status, status.incidentId);
      if (status?.pendingAction && answer)
        throw new UpdateRefusedError(
          `${error.message}: ${status.pendingAction.option} is waiting for its outcome (carried out by hand), not an approval; use ${answer}`,
          ref.workflowId,
          { cause: error },
        );
    }
    throw error;
  });
  const url = ctx.url(ref.workflowId);
  ctx.print({ ...outcome, workflowId: ref.workflowId, url }, () =>
    [`${ctx.c.green('accepted')}: ${outcome.message} (stage: ${outcome.stage})`, `  Web UI: ${url}`].join(
      '\n',
    ),
  );
}
