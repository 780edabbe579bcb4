import type { Command } from 'commander';
import { collect, defaultOperator, example, withContext } from '../action';
import { addDecisionOptions, fixReference, runDecision } from './decide';

/** `incident review`: the post-incident review, which renders the report and closes the incident. */
export function registerReview(program: Command): void {
  const command = addDecisionOptions(
    program
      .command('review')
      .argument('<id>', 'incident ID, workflow ID or fingerprint')
      .description('record the post-incident review (what went well, what to improve, action items)')
      .option('--went-well <text>', 'repeatable', collect, [])
      .option('--to-improve <text>', 'repeatable', collect, [])
      .option('--action-item <text>', 'repeatable', collect, [])
      .option('--notes <text>', 'free text for the report')
      .option('--fix-branch <branch>', 'the fix reference, if resolve went without one: branch with the fix')
      .option('--fix-commit <sha>', 'the fix reference: commit of the fix')
      .option('--fix-tag <tag>', 'the fix reference: release tag carrying the fix')
      .option('--by <name>', 'who reviews (default: $INCIDENT_OPERATOR or your login)'),
  );
  example(
    command,
    'incident review INCIDENT-20261127-163000 --went-well "Quick detection" --action-item "Add regression test"',
    'incident review INCIDENT-20261127-163000 --went-well "Quick detection" --fix-commit 3f2a9c1',
  );
  command.action(
    withContext<{
      wentWell: string[];
      toImprove: string[];
      actionItem: string[];
      notes?: string;
      fixBranch?: string;
      fixCommit?: string;
      fixTag?: string;
      by?: string;
      requestId?: string;
    }>(async (ctx, [id], opts) =>
      runDecision(
        ctx,
        id!,
        'review',
        {
          by: opts.by ?? defaultOperator(),
          wentWell: opts.wentWell,
          toImprove: opts.toImprove,
          actionItems: opts.actionItem,
          notes: opts.notes,
          fix: fixReference(opts),
        },
        opts.requestId,
      ),
    ),
  );
}
