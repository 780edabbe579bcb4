import { LogLevel, WebClient } from '@slack/web-api';
import type { Env } from '../config/env';

/** Rewrites a posted message in place (chat.update): the API's only call to Slack. */
export interface SlackUpdater {
  update(message: {
    channel: string;
    ts: string;
    text: string;
    blocks: Record<string, unknown>[];
  }): Promise<void>;
}

/**
 * The API's Slack client from the environment, or undefined without SLACK_BOT_TOKEN (decisions
 * still work; the message just is not rewritten). One attempt, ten seconds: the person who clicked
 * is waiting for the answer, and a failed rewrite is logged, never retried behind their back.
 */
export function slackUpdaterFromEnv(env: Env): SlackUpdater | undefined {
  if (!env.SLACK_BOT_TOKEN) return undefined;
  const client = new WebClient(env.SLACK_BOT_TOKEN, {
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL.replace(/\/?$/, '/') } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
    logLevel: LogLevel.ERROR,
  });
  return {
    async update(message) {
      // The blocks are the posted message's own (from Slack's signed payload) plus a note, not
      // something this code can restate in @slack/types' Block Kit unions.
      await client.chat.update({ ...message, blocks: message.blocks as never });
    },
  };
}
