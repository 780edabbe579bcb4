import { z } from 'zod';
import { slackUserIdSchema } from '../../config/slack';
import { MITIGATION_OPTIONS, SAFE_NAME } from '../../contracts/incident';
import { SLACK_ACTION_IDS } from '../../domain/slack-message';

/** Slack message and action timestamps: seconds with microseconds, "1712345678.123456". */
const slackTs = z
  .string()
  .regex(/^\d{1,12}\.\d{1,9}$/, 'must be a Slack timestamp such as 1712345678.123456');

/** What a button's value carries (see encodeActionValue): the workflow ID and, for approve / reject, the option. */
export const actionValueSchema = z
  .object({
    w: z.string().regex(SAFE_NAME, 'must be an incident workflow ID'),
    o: z.enum(MITIGATION_OPTIONS).optional(),
  })
  .strict();

const ACTION_IDS = Object.values(SLACK_ACTION_IDS) as [string, ...string[]];

/**
 * The parts of a Slack `block_actions` interaction payload the route uses. Slack sends many more
 * fields (and adds new ones), so objects are open; every field used is checked. The message's own
 * blocks are kept as opaque objects: the payload is signed by Slack, and they are only sent back
 * to Slack in chat.update.
 */
export const slackInteractionSchema = z.looseObject({
  type: z.literal('block_actions', { error: 'must be block_actions (only buttons are handled)' }),
  user: z.looseObject({ id: slackUserIdSchema }),
  channel: z.looseObject({
    id: z.string().regex(/^[CGD][A-Z0-9]{2,20}$/, 'must be a Slack channel ID'),
  }),
  message: z.looseObject({
    ts: slackTs,
    text: z.string().max(40_000).optional(),
    blocks: z.array(z.record(z.string(), z.unknown())).max(50).default([]),
  }),
  actions: z
    .array(
      z.looseObject({
        action_id: z.enum(ACTION_IDS, { error: `must be one of ${ACTION_IDS.join(', ')}` }),
        value: z.string().min(1).max(2_000),
        action_ts: slackTs,
      }),
    )
    .length(1, 'must hold exactly one action (one button click)'),
});
