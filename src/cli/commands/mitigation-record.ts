import type { Command } from 'commander';
import { SEVERITIES } from '../../contracts/incident';
import { MITIGATION_OPTIONS } from '../../contracts/incident';
import { defaultOperator, example, withContext } from '../action';
import { addDecisionOptions, runDecision } from './decide';

const idArgument = 'incident ID, workflow ID or fingerprint';

/** `incident outcome`: records how an option a human carried out went (the workflow waits for it). */
export function registerOutcome(program: Command): void {
  const command = addDecisionOptions(
    program
      .command('outcome')
      .argument('<id>', idArgument)
      .description(
        'record the outcome of an option carried out by hand (disable-feature, update-visual-baselines)',
      )
      .requiredOption('--option <option>', MITIGATION_OPTIONS.join(', '))
      .requiredOption('--result <result>', 'succeeded or failed (failed moves to the next option)')
      .option('--detail <text>', 'what was done, for the timeline')
      .option('--by <name>', 'who (default: $INCIDENT_OPERATOR or your login)'),
  );
  example(
    command,
    'incident outcome INCIDENT-20261127-163000 --option disable-feature --result succeeded --detail "flag off"',
  );
  command.action(
    withContext<{ option: string; result: string; detail?: string; by?: string; requestId?: string }>(
      async (ctx, [id], opts) =>
        runDecision(
          ctx,
          id!,
          'outcome',
          {
            option: opts.option,
            outcome: opts.result,
            detail: opts.detail,
            by: opts.by ?? defaultOperator(),
          },
          opts.requestId,
        ),
    ),
  );
}

/** `incident workaround`: the guide's last resort, recorded once every other option failed. */
export function registerWorkaround(program: Command): void {
  const command = addDecisionOptions(
    program
      .command('workaround')
      .argument('<id>', idArgument)
      .description('record the workaround that restored service (after every other option failed)')
      .requiredOption('--description <text>', 'what the workaround is')
      .option('--by <name>', 'who (default: $INCIDENT_OPERATOR or your login)'),
  );
  example(
    command,
    'incident workaround INCIDENT-20261127-163000 --description "routed traffic to the old instance"',
  );
  command.action(
    withContext<{ description: string; by?: string; requestId?: string }>(async (ctx, [id], opts) =>
      runDecision(
        ctx,
        id!,
        'workaround',
        { description: opts.description, by: opts.by ?? defaultOperator() },
        opts.requestId,
      ),
    ),
  );
}

/** `incident severity`: re-grades an open incident (timers and escalation follow the new severity). */
export function registerSeverity(program: Command): void {
  const command = addDecisionOptions(
    program
      .command('severity')
      .argument('<id>', idArgument)
      .description('change the severity of an open incident')
      .requiredOption('--set <sev>', SEVERITIES.join(', '))
      .option('--reason <text>', 'why, for the timeline')
      .option('--by <name>', 'who (default: $INCIDENT_OPERATOR or your login)'),
  );
  example(command, 'incident severity INCIDENT-20261127-163000 --set SEV-1 --reason "all widgets failing"');
  command.action(
    withContext<{ set: string; reason?: string; by?: string; requestId?: string }>(async (ctx, [id], opts) =>
      runDecision(
        ctx,
        id!,
        'severity',
        { severity: opts.set, reason: opts.reason, by: opts.by ?? defaultOperator() },
        opts.requestId,
      ),
    ),
  );
}
