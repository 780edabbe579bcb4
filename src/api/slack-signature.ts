import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's window: a request whose timestamp is further than this from now is refused. */
export const SLACK_MAX_AGE_MS = 5 * 60_000;

export type SlackSignatureCheck = { ok: true; signature: string } | { ok: false; reason: string };

export interface SlackSignatureInput {
  secret: string;
  rawBody: Buffer;
  /** `X-Slack-Request-Timestamp`: Unix seconds. */
  timestamp: string | undefined;
  /** `X-Slack-Signature`: `v0=<hex HMAC-SHA256>`. */
  signature: string | undefined;
  nowMs: number;
}

/**
 * Slack's documented request check ("Verifying requests from Slack"): HMAC-SHA256 with the
 * Signing Secret over `v0:<timestamp>:<raw body>`, compared in constant time, and the timestamp
 * within five minutes of now (either way: a clock far ahead is as suspect as a stale request).
 * Written with node:crypto because the only official implementation ships inside @slack/bolt,
 * which would bring Express and OAuth into the API for one function. Reasons never quote a header.
 */
export function verifySlackSignature(input: SlackSignatureInput): SlackSignatureCheck {
  const { timestamp, signature } = input;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp))
    return { ok: false, reason: 'X-Slack-Request-Timestamp missing or malformed' };
  if (Math.abs(input.nowMs - Number(timestamp) * 1_000) > SLACK_MAX_AGE_MS)
    return { ok: false, reason: 'X-Slack-Request-Timestamp is more than 5 minutes from now (stale)' };
  if (!signature || !/^v0=[0-9a-f]{64}$/.test(signature))
    return { ok: false, reason: 'X-Slack-Signature missing or malformed' };
  const expected = createHmac('sha256', input.secret)
    .update(`v0:${timestamp}:`)
    .update(input.rawBody)
    .digest();
  if (!timingSafeEqual(expected, Buffer.from(signature.slice(3), 'hex')))
    return { ok: false, reason: 'X-Slack-Signature does not match the body' };
  return { ok: true, signature };
}

/**
 * Signatures already accepted, each kept until the five-minute window it was valid in has passed:
 * the same signed request sent again inside that window is a replay. Only verified signatures are
 * remembered, so forged requests cannot fill it; past `max` entries the oldest give way (a replay
 * that slips through still decides nothing twice: the Update ID derives from the Slack action).
 * One per API process; replays reaching another process are stopped by that Update ID.
 */
export class SeenSignatures {
  readonly #expiry = new Map<string, number>();
  constructor(private readonly max = 50_000) {}

  /** Records `signature`; false when it was already seen within its window. */
  firstSeen(signature: string, nowMs: number): boolean {
    for (const [seen, expiresAt] of this.#expiry) {
      if (expiresAt > nowMs && this.#expiry.size < this.max) break;
      this.#expiry.delete(seen);
    }
    if (this.#expiry.has(signature)) return false;
    // Kept for two windows: a request is accepted up to 5 minutes either side of its timestamp.
    this.#expiry.set(signature, nowMs + 2 * SLACK_MAX_AGE_MS);
    return true;
  }

  get size(): number {
    return this.#expiry.size;
  }
}
