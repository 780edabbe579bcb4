import type { Command } from 'commander';
import { formatIncidentId } from '../../contracts/incident';
import { prepareRollback, startRollback } from '../../use-cases/rollback';
import type { RollbackResult } from '../../contracts/rollback';
import { example, withContext } from '../action';

interface RollbackOptions {
  incident?: string;
  mode: string;
  badCommit?: string;
  knownGood?: string;
  repo?: string;
  wait: boolean;
}

/**
 * `incident rollback <widget|mcp|full>`: runs one of the guide's rollback procedures on its own,
 * as the same workflow an incident would start as a child. Waits for the result unless --no-wait;
 * Ctrl+C stops waiting, not the rollback.
 */
export function registerRollback(program: Command): void {
  const command = program
    .command('rollback')
    .argument('<procedure>', 'widget, mcp or full')
    .description("run one of the guide's rollback procedures (durably, step by step)")
    .requiredOption('--mode <mode>', 'revert (undo --bad-commit), reset or checkout (to --known-good)')
    .option(
      '--bad-commit <commit>',
      'commit to revert (mode revert): a SHA (short is fine), tag, branch or HEAD~N, resolved in the target',
    )
    .option('--known-good <ref>', 'SHA or tag of the known-good version (modes reset, checkout)')
    .option('--incident <id>', 'incident ID the rollback belongs to (default: a new INCIDENT-<time>)')
    .option('--repo <path>', 'working copy to act on: must be the configured target.repoPath (the default)')
    .option('--no-wait', 'return once started')
    .option('--json', 'print JSON');
  example(
    command,
    'incident rollback mcp --mode checkout --known-good v1.2.3 --incident INCIDENT-20261127-163000',
    'incident rollback widget --mode revert --bad-commit 3f2a9c1',
  );
  command.action(
    withContext<RollbackOptions>(async (ctx, [procedure], opts) => {
      const input = {
        incidentId: opts.incident ?? formatIncidentId(new Date()),
        procedure,
        mode: opts.mode,
        ...(opts.badCommit ? { badCommit: opts.badCommit } : {}),
        ...(opts.knownGood ? { knownGood: opts.knownGood } : {}),
        ...(opts.repo ? { repoPath: opts.repo } : {}),
      };
      // Bad arguments are exit 2 whether or not Temporal is up: check them before connecting.
      const checked = await prepareRollback(ctx.config, input);
      const client = await ctx.client();
      const { workflowId, handle } = await startRollback(client, checked, ctx.env.TEMPORAL_TASK_QUEUE);
      const url = ctx.url(workflowId);
      if (!opts.wait) {
        ctx.print(
          { workflowId, started: true, url },
          () => `${procedure} rollback started: ${workflowId}\n  Web UI: ${url}`,
        );
        return;
      }
      ctx.note(
        `${procedure} rollback started: ${workflowId} (Ctrl+C stops waiting, not the rollback)\n  Web UI: ${url}`,
      );
      const result = (await handle.result()) as RollbackResult;
      ctx.print({ workflowId, url, ...result }, () =>
        [
          `${result.ok ? ctx.c.green('rollback succeeded') : ctx.c.red(`rollback failed at ${result.failedStep ?? '?'}`)}${result.headAfter ? ` (HEAD ${result.headAfter.slice(0, 12)})` : ''}`,
          ...result.steps.map((s) => `  ${s.status.padEnd(9)} ${s.step}${s.detail ? `: ${s.detail}` : ''}`),
        ].join('\n'),
      );
      if (!result.ok) process.exitCode = 1;
    }),
  );
}
