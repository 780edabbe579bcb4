import type { Command } from 'commander';
import { collect, defaultOperator, example, withContext } from '../action';
import { addDecisionOptions, fixReference, runDecision } from './decide';

/**
 * `incident resolve`: records the root cause (5 whys, required) and, if there is one yet, the fix
 * reference (optional: `incident review --fix-*` records it later; until then status and report
 * show "fix reference: pending"). Starts the recovery check.
 */
export function registerResolve(program: Command): void {
  const command = addDecisionOptions(
    program
      .command('resolve')
      .argument('<id>', 'incident ID, workflow ID or fingerprint')
      .description(
        'record the root cause (5 whys, required) and the fix reference if there is one yet (optional: add it later with review --fix-*)',
      )
      .requiredOption('--why <text>', 'one "why" of the 5 whys, outermost first (repeat up to 10)', collect)
      .option('--fix-branch <branch>', 'optional: branch with the fix, e.g. fix/incident-42')
      .option('--fix-commit <sha>', 'optional: commit of the fix')
      .option('--fix-tag <tag>', 'optional: release tag carrying the fix, e.g. v1.2.4')
      .option('--by <name>', 'who resolves (default: $INCIDENT_OPERATOR or your login)'),
  );
  example(
    command,
    'incident resolve INCIDENT-20261127-163000 --why "module X threw" --why "dependency Y missing" --fix-tag v1.2.4',
    'incident resolve INCIDENT-20261127-163000 --why "module X threw" --why "dependency Y missing"   # fix later, with review',
  );
  command.action(
    withContext<{
      why: string[];
      fixBranch?: string;
      fixCommit?: string;
      fixTag?: string;
      by?: string;
      requestId?: string;
    }>(async (ctx, [id], opts) =>
      runDecision(
        ctx,
        id!,
        'resolve',
        {
          by: opts.by ?? defaultOperator(),
          whys: opts.why,
          fix: fixReference(opts),
        },
        opts.requestId,
      ),
    ),
  );
}
