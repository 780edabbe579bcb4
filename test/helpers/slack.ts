import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export const SLACK_SIGNING_SECRET = 'slack-signing-secret-for-tests-0123';
export const SLACK_BOT_TOKEN = 'xoxb-test-0123456789-abcdef';
export const SLACK_CHANNEL = 'C0INCIDENTS';

/** Slack's signature headers for a body, as Slack computes them (v0 HMAC-SHA256). */
export function slackHeaders(
  body: string,
  options: { secret?: string; timestamp?: number } = {},
): Record<string, string> {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', options.secret ?? SLACK_SIGNING_SECRET)
    .update(`v0:${timestamp}:${body}`)
    .digest('hex');
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': `v0=${signature}`,
  };
}

/** The form body Slack posts: one `payload` field holding the JSON. */
export const formBody = (payload: unknown): string =>
  new URLSearchParams({
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  }).toString();

let clicks = 0;
/** A block_actions payload for one button click on a posted message. */
export function clickPayload(options: {
  actionId: string;
  value: string;
  userId: string;
  channel?: string;
  messageTs?: string;
  blocks?: unknown[];
  text?: string;
}) {
  clicks++;
  return {
    type: 'block_actions',
    user: { id: options.userId, username: 'someone', team_id: 'T0TEAM' },
    api_app_id: 'A0APP',
    team: { id: 'T0TEAM', domain: 'example' },
    container: { type: 'message', message_ts: options.messageTs ?? '1700000000.000100' },
    channel: { id: options.channel ?? SLACK_CHANNEL, name: 'incidents' },
    message: {
      type: 'message',
      ts: options.messageTs ?? '1700000000.000100',
      text: options.text ?? 'incident',
      blocks: options.blocks ?? [],
    },
    response_url: 'https://hooks.slack.invalid/actions/T0/1/x',
    actions: [
      {
        type: 'button',
        action_id: options.actionId,
        block_id: 'incident-decision',
        value: options.value,
        action_ts: `${1_700_000_000 + clicks}.${String(clicks).padStart(6, '0')}`,
      },
    ],
  };
}

/** One call the fake Slack API received: method name and its decoded arguments. */
export interface SlackCall {
  method: string;
  token: string | undefined;
  args: Record<string, unknown>;
}

/**
 * A fake Slack Web API on loopback (node:http) that records every call and answers like Slack:
 * chat.postMessage with a fresh ts, chat.update with ok. @slack/web-api posts form-encoded
 * arguments with objects (blocks) as JSON strings; JSON bodies are read too.
 */
export async function startFakeSlack(): Promise<{
  url: string;
  calls: SlackCall[];
  close: () => Promise<void>;
}> {
  const calls: SlackCall[] = [];
  let seq = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const method = (request.url ?? '').replace(/^\/api\//, '').replace(/^\//, '');
      let args: Record<string, unknown> = {};
      if ((request.headers['content-type'] ?? '').includes('json')) args = JSON.parse(text || '{}');
      else
        for (const [key, value] of new URLSearchParams(text)) {
          args[key] = key === 'blocks' ? JSON.parse(value) : value;
        }
      const token = request.headers.authorization?.replace(/^Bearer /, '');
      calls.push({ method, token, args });
      const ts = `1700000100.${String(++seq).padStart(6, '0')}`;
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify(
          method === 'chat.postMessage'
            ? { ok: true, channel: args.channel, ts, message: { ts } }
            : { ok: true, channel: args.channel, ts: args.ts },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
