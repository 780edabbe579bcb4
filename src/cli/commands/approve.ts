import type { Command } from 'commander';
import { MITIGATION_OPTIONS } from '../../contracts/incident';
import { defaultOperator, example, withContext } from '../action';
import { addDecisionOptions, runDecision } from './decide';

interface ApprovalOptions {
  option: string;
  approver?: string;
  comment?: string;
  reason?: string;
  target?: string;
  requestId?: string;
}

/**
 * `incident approve` / `incident reject`: a decision on a proposed mitigation option. The approver
 * is checked against the config's approvers before anything is sent, and again by the workflow.
 */
export function registerApproval(program: Command, verb: 'approve' | 'reject'): void {
  const command = addDecisionOptions(
    program
      .command(verb)
      .argument('<id>', 'incident ID, workflow ID or fingerprint')
      .description(
        verb === 'approve'
          ? 'approve a proposed mitigation option (destructive ones wait for this)'
          : "reject a proposed mitigation option; the next one in the guide's order is proposed",
      )
      .requiredOption('--option <option>', MITIGATION_OPTIONS.join(', '))
      .option('--approver <name>', 'who decides (default: $INCIDENT_OPERATOR or your login)'),
  );
  if (verb === 'approve') {
    command
      .option('--comment <text>', 'why, for the timeline')
      .option('--target <ref>', 'the commit to revert or known-good SHA/tag you confirm');
    example(
      command,
      'incident approve INCIDENT-20261127-163000 --option revert-last-change --approver @jscraik',
    );
  } else {
    command.option('--reason <text>', 'why not, for the timeline');
    example(
      command,
      'incident reject INCIDENT-20261127-163000 --option revert-last-change --reason "revert conflicts"',
    );
  }
  command.action(
    withContext<ApprovalOptions>(async (ctx, [id], opts) =>
      runDecision(
        ctx,
        id!,
        verb,
        {
          option: opts.option,
          approver: opts.approver ?? defaultOperator(),
          ...(verb === 'approve' ? { comment: opts.comment, target: opts.target } : { reason: opts.reason }),
        },
        opts.requestId,
      ),
    ),
  );
}
