import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { InvalidRequestError } from '../../use-cases/errors';
import { assertIncidentRef, lookupIncident } from '../../use-cases/lookup';
import { fetchStatus } from '../../use-cases/status';
import type { IncidentStatus, TimelineEntry } from '../../contracts/messages';
import { example, withContext } from '../action';
import { statusText, timelineLine } from '../format';

const entryKey = (e: TimelineEntry) => `${e.at}|${e.kind}|${e.message}`;

/**
 * `incident watch`: prints the summary, then each new timeline entry as it happens, until the
 * incident closes (exit 0) or Ctrl+C (exit 0, the incident carries on). Polls the status query:
 * Temporal has no push channel for queries, and once a second is cheap for one incident.
 */
export function registerWatch(program: Command): void {
  const command = program
    .command('watch')
    .argument('<id>', 'incident ID (INCIDENT-...), workflow ID or fingerprint')
    .description('follow an incident live until it closes or Ctrl+C')
    .option('--interval <seconds>', 'how often to poll', '1')
    .option('--json', 'print one JSON line per new timeline entry, then the final status');
  example(
    command,
    'incident watch INCIDENT-20261127-163000',
    'incident watch incident-am-3fa2c9e1 --json | jq .message',
  );
  command.action(
    withContext<{ interval: string }>(async (ctx, [id], opts) => {
      const interval = Number(opts.interval);
      if (!(interval >= 0.2 && interval <= 60)) {
        throw new InvalidRequestError('--interval must be between 0.2 and 60 seconds', 'interval');
      }
      assertIncidentRef(id!);
      const client = await ctx.client();
      let ref = await lookupIncident(client, id!);
      const url = ctx.url(ref.workflowId);
      const stop = new AbortController();
      const onSigint = () => stop.abort();
      process.once('SIGINT', onSigint);
      const seen = new Set<string>();
      let status: IncidentStatus | undefined;
      let stage = '';
      try {
        for (;;) {
          status = await fetchStatus(client, ref);
          if (seen.size === 0) {
            ctx.note(statusText(ctx.c, status, url, 0));
            ctx.note(ctx.c.dim('following (Ctrl+C to stop watching; the incident carries on)'));
          }
          for (const entry of status.timeline) {
            const key = entryKey(entry);
            if (seen.has(key)) continue;
            seen.add(key);
            if (ctx.json) ctx.emit({ type: 'timeline', incidentId: status.incidentId, ...entry });
            else ctx.note(timelineLine(ctx.c, entry));
          }
          if (status.stage !== stage) {
            if (stage) ctx.note(ctx.c.bold(`-- stage: ${status.stage}`));
            stage = status.stage;
          }
          const running = ref.description.status.name === 'RUNNING';
          if (status.stage === 'closed' || !running) break;
          await sleep(interval * 1_000, undefined, { signal: stop.signal }).catch(() => undefined);
          if (stop.signal.aborted) break;
          ref = {
            ...ref,
            description: await client.workflow.getHandle(ref.workflowId, ref.runId).describe(),
          };
        }
      } finally {
        process.off('SIGINT', onSigint);
      }
      const closed = status?.stage === 'closed' || ref.description.status.name !== 'RUNNING';
      if (ctx.json) ctx.emit({ type: 'end', reason: closed ? 'closed' : 'interrupted', status, url });
      else
        ctx.note(
          closed
            ? `incident ${status?.stage === 'closed' ? 'closed' : ref.description.status.name.toLowerCase()}: ${url}`
            : `stopped watching: ${url}`,
        );
    }),
  );
}
