import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import type { SlackMessage } from '../../domain/slack-message';

/** Where the bot posts: a chat.postMessage with Block Kit, answering Slack's channel and message ts. */
export interface SlackPoster {
  post(message: SlackMessage): Promise<{ channel: string; ts: string }>;
}

/** A Slack API answer that retrying cannot change (bad token, unknown channel, invalid blocks). */
export class SlackRejectedError extends Error {
  override readonly name = 'SlackRejectedError';
}

export interface SlackChatOptions {
  token: string;
  channel: string;
  /** Base URL of the Web API; tests point it at a fake server on loopback. */
  apiUrl?: string;
}

/**
 * The worker's Slack client: @slack/web-api's WebClient with its own retries off, because the
 * notify activity's retry policy is the one place that decides how often a message is retried.
 * Platform errors (`ok: false`, e.g. `channel_not_found`) become {@link SlackRejectedError}.
 */
export function createSlackPoster(options: SlackChatOptions): SlackPoster {
  const client = new WebClient(options.token, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl.replace(/\/?$/, '/') } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
    logLevel: LogLevel.ERROR,
  });
  return {
    async post(message) {
      try {
        const answer = await client.chat.postMessage({
          channel: options.channel,
          text: message.text,
          blocks: message.blocks,
          unfurl_links: false,
        });
        return { channel: answer.channel ?? options.channel, ts: answer.ts ?? '' };
      } catch (error) {
        if ((error as { code?: string }).code === ErrorCode.PlatformError) {
          const code = (error as { data?: { error?: string } }).data?.error ?? 'unknown_error';
          throw new SlackRejectedError(`Slack refused chat.postMessage: ${code}`, { cause: error });
        }
        throw error;
      }
    },
  };
}
