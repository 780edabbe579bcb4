import { z } from 'zod';
import { identitySchema } from '../contracts/decisions';

/** A Slack member ID as Slack sends it in interaction payloads: U... or W... (Enterprise Grid). */
export const slackUserIdSchema = z
  .string()
  .regex(/^[UW][A-Z0-9]{2,20}$/, 'must be a Slack member ID such as U0123ABC');

/**
 * The config file's `slack` section: which approver identity each Slack member is. A button click
 * from a member not listed here is refused (403) before anything reaches the workflow; a listed
 * member is then checked against `policy.approvers` exactly like the CLI and the API.
 */
export const slackConfigSchema = z
  .object({
    users: z
      .record(z.string(), identitySchema)
      // Checked here rather than as the record's key schema, whose error would not say what a key must be.
      .superRefine((users, ctx) => {
        for (const id of Object.keys(users))
          if (!slackUserIdSchema.safeParse(id).success)
            ctx.addIssue({
              code: 'custom',
              path: [id],
              message: 'must be a Slack member ID such as U0123ABC',
            });
      })
      .default({}),
  })
  .strict();

export type SlackConfig = z.infer<typeof slackConfigSchema>;

/** The approver identity of a Slack member, or undefined when the config does not map them. */
export const approverForSlackUser = (config: SlackConfig, userId: string): string | undefined =>
  Object.hasOwn(config.users, userId) ? config.users[userId] : undefined;
