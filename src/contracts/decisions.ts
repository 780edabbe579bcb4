import { z } from 'zod';
import { MITIGATION_OPTIONS, SEVERITIES } from './incident';
import {
  DECISION_CHANNELS,
  acknowledgeUpdate,
  approveUpdate,
  recordMitigationUpdate,
  rejectUpdate,
  resolveUpdate,
  reviewUpdate,
  setSeverityUpdate,
  workaroundUpdate,
} from './messages';

/**
 * The human decisions the CLI and the API send as Workflow Updates, with one strict schema each
 * (the same shapes as the contract's *Input types) so both entry points refuse the same input.
 */
export const identitySchema = z
  .string()
  .regex(/^@?[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/, 'must be a user name such as @alice or alice@example.com');
const text = (max: number) => z.string().trim().min(1).max(max);
const list = z.array(text(1_000)).max(50);
const gitRef = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/, 'must be a commit SHA, tag or branch name');
/** Where the fix lives; any of the three (or none yet, at resolve). */
const fixReference = z
  .object({
    branch: gitRef.optional(),
    commit: z
      .string()
      .regex(/^[0-9a-f]{7,40}$/, 'must be a commit SHA')
      .optional(),
    tag: gitRef.optional(),
  })
  .strict();

/**
 * The channel a decision came through, for the audit trail. Optional: histories recorded before
 * it existed have none (shown as "unknown"). Entry points set it themselves (see sendDecision),
 * so a client cannot claim another channel.
 */
const via = z.enum(DECISION_CHANNELS).optional();

export const DECISION_SCHEMAS = {
  ack: z.object({ by: identitySchema, via }).strict(),
  approve: z
    .object({
      option: z.enum(MITIGATION_OPTIONS),
      approver: identitySchema,
      comment: text(2_000).optional(),
      /** The commit or tag the approver confirms (see ApproveInput.target). */
      target: gitRef.optional(),
      via,
    })
    .strict(),
  reject: z
    .object({
      option: z.enum(MITIGATION_OPTIONS),
      approver: identitySchema,
      reason: text(2_000).optional(),
      via,
    })
    .strict(),
  resolve: z
    .object({
      by: identitySchema,
      whys: z.array(text(1_000)).min(1).max(10),
      fix: fixReference.default({}),
      via,
    })
    .strict(),
  review: z
    .object({
      by: identitySchema,
      wentWell: list.default([]),
      toImprove: list.default([]),
      actionItems: list.default([]),
      notes: text(10_000).optional(),
      fix: fixReference.optional(),
      via,
    })
    .strict(),
  /** Re-grade the incident (the guide's "assign severity level"), before resolution. */
  severity: z
    .object({ severity: z.enum(SEVERITIES), by: identitySchema, reason: text(2_000).optional(), via })
    .strict(),
  /** The outcome of an option a human carries out (disable-feature, update-visual-baselines, workaround). */
  outcome: z
    .object({
      option: z.enum(MITIGATION_OPTIONS),
      by: identitySchema,
      outcome: z.enum(['succeeded', 'failed']),
      detail: text(2_000).optional(),
      via,
    })
    .strict(),
  /** The workaround that restored service once every other option failed. */
  workaround: z.object({ by: identitySchema, description: text(2_000), via }).strict(),
} as const;

export type DecisionVerb = keyof typeof DECISION_SCHEMAS;
export const DECISION_VERBS = Object.keys(DECISION_SCHEMAS) as DecisionVerb[];
export type DecisionInput<V extends DecisionVerb> = z.infer<(typeof DECISION_SCHEMAS)[V]>;

export const DECISION_UPDATES = {
  ack: acknowledgeUpdate,
  approve: approveUpdate,
  reject: rejectUpdate,
  resolve: resolveUpdate,
  review: reviewUpdate,
  severity: setSeverityUpdate,
  outcome: recordMitigationUpdate,
  workaround: workaroundUpdate,
} as const;
