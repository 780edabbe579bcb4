import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { approverForSlackUser } from '../../config/slack';
import type { DecisionVerb } from '../../contracts/decisions';
import { reportOf } from '../../domain/failure-types';
import { failureReason } from '../../domain/failure-message';
import { decidedBlocks, decisionNoteText, type SlackDecisionNote } from '../../domain/slack-decision';
import { type SlackInteraction, slackInteractionFrom } from '../../intake/slack-interaction';
import { InvalidRequestError } from '../../use-cases/errors';
import { type IncidentRef, lookupIncident } from '../../use-cases/lookup';
import { fetchStatus } from '../../use-cases/status';
import { sendDecision } from '../../use-cases/send-decision';
import { slackUpdateId } from '../../use-cases/update-id';
import type { ApiContext } from '../context';
import { decodeUtf8, parseJsonBody } from '../json-body';
import type { SlackUpdater } from '../slack-chat';
import { type SeenSignatures, verifySlackSignature } from '../slack-signature';

export interface SlackRouteDeps {
  /** Rewrites the clicked message; undefined without SLACK_BOT_TOKEN. */
  updater?: SlackUpdater;
  /** Signatures this process has accepted, for refusing replays. */
  seen: SeenSignatures;
  now: () => number;
}

/** The `payload` field of Slack's form body, JSON-parsed with the same guards as every JSON body. */
function payloadOf(raw: Buffer): unknown {
  const form = new URLSearchParams(decodeUtf8(raw));
  const payloads = form.getAll('payload');
  if (payloads.length !== 1)
    throw new InvalidRequestError('body must be form-encoded with exactly one payload field', 'payload');
  // URLSearchParams turns malformed percent-escapes into U+FFFD instead of failing.
  if (payloads[0]!.includes('\ufffd'))
    throw new InvalidRequestError('payload: is not valid percent-encoded UTF-8', 'payload');
  return parseJsonBody(payloads[0]!);
}

/**
 * The decision a click sends, in the same shapes the CLI and the approve route send, so the same
 * schemas and the same approver check apply.
 */
function decisionInput(click: SlackInteraction, approver: string): Record<string, unknown> {
  if (click.verb === 'ack') return { by: approver };
  return { option: click.option, approver };
}

/**
 * Whether the clicked option still waits for approval after an accepted approve (an approval
 * policy that needs more than one approver). The workflow drops `pendingApproval` in the same
 * task that accepts the deciding Update, so the query sees the result. Unknown counts as decided.
 */
async function optionStillPending(
  ctx: ApiContext,
  ref: IncidentRef,
  click: SlackInteraction,
): Promise<boolean> {
  try {
    return (await fetchStatus(ctx.client, ref)).pendingApproval?.option === click.option;
  } catch {
    return false;
  }
}

async function rewriteMessage(
  updater: SlackUpdater | undefined,
  click: SlackInteraction,
  note: SlackDecisionNote,
  log: FastifyBaseLogger,
): Promise<void> {
  if (!updater) return;
  try {
    await updater.update({
      channel: click.channelId,
      ts: click.messageTs,
      text: `${click.messageText}\n${decisionNoteText(note)}`.slice(0, 3_000),
      blocks: decidedBlocks(click.messageBlocks, note),
    });
  } catch (error) {
    // The decision stands whether or not Slack shows it; the log says why the message is stale.
    log.warn({ workflowId: click.workflowId, reason: failureReason(error) }, 'Slack chat.update failed');
  }
}

/**
 * `POST /webhooks/slack/interactions`, the Slack app's Interactivity Request URL. In order: the
 * raw form body's Slack signature (401: missing, forged, older or newer than 5 minutes), a replay
 * of a signature already accepted (401), the payload (400 naming the field), the clicking member
 * mapped to an approver in config `slack.users` (403). Only then the decision goes, as the API's
 * decision routes send it (policy approvers, then a Workflow Update whose ID derives from the
 * click), and the message is rewritten in place to say who decided and the answer, or why the
 * decision was refused.
 */
export function slackRoutes(app: FastifyInstance, ctx: ApiContext, deps: SlackRouteDeps): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer' },
    (_request, body, done) => done(null, body),
  );
  app.post('/webhooks/slack/interactions', async (request, reply) => {
    const secret = ctx.env.SLACK_SIGNING_SECRET;
    if (!secret) {
      return reply.code(503).send({ error: 'Slack interactions disabled: set SLACK_SIGNING_SECRET' });
    }
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const now = deps.now();
    const check = verifySlackSignature({
      secret,
      rawBody: raw,
      timestamp: header('x-slack-request-timestamp'),
      signature: header('x-slack-signature'),
      nowMs: now,
    });
    if (!check.ok) return reply.code(401).send({ error: check.reason });
    if (!deps.seen.firstSeen(check.signature, now)) {
      return reply.code(401).send({ error: 'replayed request: this X-Slack-Signature was already accepted' });
    }
    const click = slackInteractionFrom(payloadOf(raw));
    const approver = approverForSlackUser(ctx.config.slack, click.userId);
    if (!approver) {
      return reply
        .code(403)
        .send({ error: `Slack user ${click.userId} is not mapped to an approver (config slack.users)` });
    }
    const verb: DecisionVerb = click.verb;
    const note = { verb, by: approver, slackUserId: click.userId, at: new Date(now).toISOString() };
    try {
      const ref = await lookupIncident(ctx.client, click.workflowId);
      const outcome = await sendDecision(
        ctx.client,
        ctx.config.policy,
        ref,
        verb,
        decisionInput(click, approver),
        {
          updateId: slackUpdateId(verb, ref.workflowId, click),
          // The decision channel is the entry point's to say, never the payload's.
          via: 'slack',
        },
      );
      const stillPending = verb === 'approve' && (await optionStillPending(ctx, ref, click));
      await rewriteMessage(
        deps.updater,
        click,
        { ...note, accepted: true, message: outcome.message, stillPending },
        request.log,
      );
      return { ...outcome, workflowId: ref.workflowId, by: approver };
    } catch (error) {
      // A refusal people should see (not allowed, not pending, no such incident) goes on the
      // message too; the error handler still answers it with its own status.
      const status = reportOf(error)?.http;
      if (status && status < 500)
        await rewriteMessage(
          deps.updater,
          click,
          { ...note, accepted: false, message: (error as Error).message.split('\n')[0]! },
          request.log,
        );
      throw error;
    }
  });
}
