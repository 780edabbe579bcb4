import type { MitigationOption } from '../contracts/incident';
import { SLACK_ACTION_IDS, type SlackVerb } from '../domain/slack-message';
import { InvalidRequestError } from '../use-cases/errors';
import { parseOrThrow } from '../use-cases/validation';
import { actionValueSchema, slackInteractionSchema } from './schemas/slack';

/** One button click, as the API acts on it. */
export interface SlackInteraction {
  verb: SlackVerb;
  workflowId: string;
  /** approve / reject: the option the button was for. */
  option?: MitigationOption;
  userId: string;
  channelId: string;
  /** The message the button is on, for chat.update. */
  messageTs: string;
  messageText: string;
  messageBlocks: Record<string, unknown>[];
  /** Unique per click: the Update ID derives from it, so a replayed click decides nothing twice. */
  actionTs: string;
}

const VERB_OF = Object.fromEntries(
  Object.entries(SLACK_ACTION_IDS).map(([verb, id]) => [id, verb as SlackVerb]),
) as Record<string, SlackVerb>;

/**
 * Reads a click from an already JSON-parsed `payload` field; throws {@link InvalidRequestError}
 * naming the field (`payload.actions.0.value`, ...) when anything does not fit.
 */
export function slackInteractionFrom(payload: unknown): SlackInteraction {
  const parsed = parseOrThrow(slackInteractionSchema, payload, 'payload');
  const action = parsed.actions[0]!;
  let rawValue: unknown;
  try {
    rawValue = JSON.parse(action.value);
  } catch {
    throw new InvalidRequestError('payload.actions.0.value: is not JSON', 'payload.actions.0.value');
  }
  const value = parseOrThrow(actionValueSchema, rawValue, 'payload.actions.0.value');
  const verb = VERB_OF[action.action_id]!;
  if (verb !== 'ack' && !value.o) {
    throw new InvalidRequestError(
      `payload.actions.0.value: ${verb} needs the option (o)`,
      'payload.actions.0.value.o',
    );
  }
  return {
    verb,
    workflowId: value.w,
    ...(verb !== 'ack' && value.o ? { option: value.o } : {}),
    userId: parsed.user.id,
    channelId: parsed.channel.id,
    messageTs: parsed.message.ts,
    messageText: parsed.message.text ?? '',
    messageBlocks: parsed.message.blocks,
    actionTs: action.action_ts,
  };
}
