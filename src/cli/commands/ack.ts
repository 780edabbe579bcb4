import type { Command } from 'commander';
import { defaultOperator, example, withContext } from '../action';
import { addDecisionOptions, runDecision } from './decide';

/** `incident ack`: the guide's "Acknowledge incident"; stops the ack deadline's escalation. */
export function registerAck(program: Command): void {
  const command = addDecisionOptions(
    program
      .command('ack')
      .argument('<id>', 'incident ID, workflow ID or fingerprint')
      .description('acknowledge an incident')
      .option('--by <name>', 'who acknowledges (default: $INCIDENT_OPERATOR or your login)'),
  );
  example(command, 'incident ack INCIDENT-20261127-163000 --by @alice');
  command.action(
    withContext<{ by?: string; requestId?: string }>(async (ctx, [id], opts) =>
      runDecision(ctx, id!, 'ack', { by: opts.by ?? defaultOperator() }, opts.requestId),
    ),
  );
}
