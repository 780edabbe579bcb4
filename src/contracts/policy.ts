import { z } from 'zod';
import { MITIGATION_OPTIONS, SEVERITIES } from './incident';
import { parseDuration } from './duration';
import { buildOnce } from './build-once';

/**
 * How incidents are run: acknowledgement timers, business hours, escalation, approvals, SLO,
 * recovery check, status cadence and review deadline. Every default is the incident response
 * guide's. Durations are written as "15 minutes" / "1 hour" / "2s" or milliseconds and parsed to
 * milliseconds here, so the workflow receives plain numbers. The worker hands the parsed policy to
 * each incident through the `loadPolicy` activity, which records it in the workflow history.
 */
const duration = (fallback: string) =>
  z
    .union([z.string(), z.number()])
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a duration such as "15 minutes", "1 hour", "30s" or milliseconds, got ${JSON.stringify(value)}`,
        });
        return z.NEVER;
      }
      return ms;
    });

const positiveDuration = (fallback: string) =>
  duration(fallback).refine((ms) => ms > 0, { message: 'must be longer than zero' });

/**
 * The ratio an SLO of `availabilityPercent` implies for a `max` (error ratio) or `min`
 * (availability) bound, rounded so that 99.5 gives 0.005 and not 0.0050000000000000044.
 */
export const sloThreshold = (bound: 'max' | 'min', availabilityPercent: number): number => {
  const availability = availabilityPercent / 100;
  return Number((bound === 'max' ? 1 - availability : availability).toPrecision(12));
};

/**
 * Every schema of the policy, built in one function so that it runs once per process
 * (build-once.ts) and not for each workflow that imports this module.
 */
function buildPolicySchema() {
  const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');

  const timeZone = z.string().refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be an IANA time zone such as "UTC" or "Europe/London"' },
  );

  /** A response time: a duration, or the guide's SEV-4 "next-business-day". */
  const ackTarget = (fallback: string) =>
    z
      .union([z.string(), z.number()])
      .default(fallback)
      .transform((value, ctx): number | 'next-business-day' => {
        if (value === 'next-business-day') return value;
        const ms = parseDuration(value);
        if (ms === undefined || ms <= 0) {
          ctx.addIssue({
            code: 'custom',
            message: `must be a duration such as "15 minutes" or "next-business-day", got ${JSON.stringify(value)}`,
          });
          return z.NEVER;
        }
        return ms;
      });

  const option = z.enum(MITIGATION_OPTIONS);
  const optionOrAny = z.union([option, z.literal('*')]);
  const approverList = z.array(z.string().min(1)).min(1);
  const approverRow = z.partialRecord(optionOrAny, approverList);
  /** Distinct approvals an option needs; a handful at most (each is a person woken at night). */
  const requiredRow = z.partialRecord(optionOrAny, z.number().int().min(1).max(10));
  const approverGroup = z
    .object({
      name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a short name such as leads'),
      members: approverList,
    })
    .strict();

  /**
   * A PromQL threshold: a ratio between 0 and 1, or `'slo'` for the one the SLO implies
   * (`max: 'slo'` = 1 - availabilityPercent / 100 for an error ratio, `min: 'slo'` =
   * availabilityPercent / 100 for an availability). One unit everywhere, so a threshold can be
   * compared with the SLO (policySchema's cross-check below).
   */
  const promThreshold = z.union([
    z
      .number()
      .min(0, 'must be a ratio between 0 and 1 (write the query as a ratio, not a percentage)')
      .max(1, 'must be a ratio between 0 and 1 (write the query as a ratio, not a percentage)'),
    z.literal('slo'),
  ]);

  /**
   * The recovery check's Prometheus judgement (issue 13 item 4, the guide's "monitor SLO
   * recovery"): every interval, one instant query against the Prometheus HTTP API, whose single
   * value must stay at or below `max` (an error ratio) or at or above `min` (an availability).
   */
  const prometheusCheck = z
    .object({
      /** Base URL of the Prometheus server (its API is `<url>/api/v1/query`). */
      url: z
        .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://prometheus:9090' })
        // The URL appears in activity summaries, the Web UI and logs: no secrets in it.
        .refine((url) => !/^[a-z]+:\/\/[^/]*@/i.test(url), {
          message: 'must not carry credentials (user:password@): the URL is shown in the Web UI and logs',
        }),
      /** Instant PromQL query returning exactly one value, e.g. an error ratio over the last minutes. */
      query: z.string().trim().min(1, 'must be a PromQL query').max(4000),
      /** The value must stay at or below this (an error ratio). Exactly one of max and min. */
      max: promThreshold.optional(),
      /** The value must stay at or above this (an availability). Exactly one of max and min. */
      min: promThreshold.optional(),
      /** Bound on one query, below the check interval. */
      timeout: positiveDuration('10 seconds'),
    })
    .strict()
    .superRefine((check, ctx) => {
      if ((check.max === undefined) === (check.min === undefined))
        ctx.addIssue({
          code: 'custom',
          path: [check.max === undefined ? 'max' : 'min'],
          message:
            'give exactly one of max (the value must stay at or below it, e.g. an error ratio) and min (at or above, e.g. an availability)',
        });
    });

  const GUIDE_OWNER = '@jscraik';
  const policySchema = z
    .object({
      /** The guide's response times: SEV-1 15 min, SEV-2 1 h, SEV-3 4 h, SEV-4 next business day. */
      ackDeadlines: z
        .object({
          'SEV-1': ackTarget('15 minutes'),
          'SEV-2': ackTarget('1 hour'),
          'SEV-3': ackTarget('4 hours'),
          'SEV-4': ackTarget('next-business-day'),
        })
        .strict()
        .prefault({}),
      businessHours: z
        .object({
          timeZone: timeZone.default('UTC'),
          start: hhmm.default('09:00'),
          end: hhmm.default('17:00'),
          /** ISO weekdays, 1 = Monday ... 7 = Sunday. */
          days: z.array(z.number().int().min(1).max(7)).min(1).default([1, 2, 3, 4, 5]),
          holidays: z.array(z.iso.date()).default([]),
        })
        .strict()
        .refine((b) => b.start < b.end, { message: 'start must be before end', path: ['end'] })
        .prefault({}),
      /** Who is escalated to (the guide's primary). */
      escalationContact: z.string().min(1).default(GUIDE_OWNER),
      /** After a missed deadline, escalate again this often while still waiting. */
      escalationInterval: positiveDuration('30 minutes'),
      /** How long a destructive option may wait for approval (or a human option for its outcome) before escalating. */
      approvalDeadline: positiveDuration('15 minutes'),
      /** Who may approve or reject, per severity and option (`*` = any option). */
      approvers: z
        .object({
          'SEV-1': approverRow.prefault({ '*': [GUIDE_OWNER] }),
          'SEV-2': approverRow.prefault({ '*': [GUIDE_OWNER] }),
          'SEV-3': approverRow.prefault({ '*': [GUIDE_OWNER] }),
          'SEV-4': approverRow.prefault({ '*': [GUIDE_OWNER] }),
        })
        .strict()
        .prefault({}),
      /**
       * Four-eyes and delegation. `required`: distinct approvals per severity and option (`*` = any
       * option), default 1. `groups`: approver groups asked in order, one more each time the
       * approval deadline has passed `delegateAfter` times without enough approvals; once asked, a
       * group's members may approve or reject that option too. Absent from policies recorded
       * before it existed: the workflow then needs one approval and delegates to nobody.
       */
      approvals: z
        .object({
          required: z.partialRecord(z.enum(SEVERITIES), requiredRow).default({}),
          groups: z
            .array(approverGroup)
            .max(10)
            .default([])
            .refine((groups) => new Set(groups.map((g) => g.name)).size === groups.length, {
              message: 'group names must be unique',
            }),
          delegateAfter: z.number().int().min(1).max(10).default(2),
        })
        .strict()
        .prefault({}),
      /** Options approved without a human, per severity. Off (empty) by default. */
      autoApprove: z.partialRecord(z.enum(SEVERITIES), z.array(option)).default({}),
      /** Bound on one rollback child workflow; a child that runs longer counts as a failed option. */
      rollbackTimeout: positiveDuration('1 hour'),
      slo: z
        .object({
          /** Availability objective as a percentage. */
          availabilityPercent: z.number().gt(0).lt(100).default(99.5),
          window: positiveDuration('30 days'),
        })
        .strict()
        .prefault({}),
      /** The guide's "monitor for 30 minutes" after the fix. */
      healthCheck: z
        .object({
          /** HTTP GET target; without one, recovery is recorded as not verified and the incident moves on. */
          url: z.url().optional(),
          interval: positiveDuration('1 minute'),
          duration: positiveDuration('30 minutes'),
          timeout: positiveDuration('10 seconds'),
          /** Share of probes that may fail while still calling the recovery verified (the last must pass). */
          maxFailureRatio: z.number().min(0).max(1).default(0),
          /** A PromQL query judged against the SLO at every probe (alone or beside `url`). */
          prometheus: prometheusCheck.optional(),
        })
        .strict()
        .superRefine((check, ctx) => {
          if (check.prometheus && check.prometheus.timeout >= check.interval)
            ctx.addIssue({
              code: 'custom',
              path: ['prometheus', 'timeout'],
              message: 'must be shorter than healthCheck.interval (one query per interval)',
            });
        })
        .prefault({}),
      statusUpdates: z
        .object({
          interval: positiveDuration('15 minutes'),
          severities: z.array(z.enum(SEVERITIES)).default(['SEV-1', 'SEV-2']),
        })
        .strict()
        .prefault({}),
      review: z
        .object({
          /** The guide's "within 48 hours of resolution". */
          deadline: positiveDuration('48 hours'),
          /** Reminders sent this long before the deadline. */
          remindersBefore: z.array(positiveDuration('24 hours')).prefault(['24 hours', '4 hours']),
        })
        .strict()
        .prefault({}),
      /** Window for the "is it getting worse" alert comparison. */
      trendWindow: positiveDuration('15 minutes'),
    })
    .strict()
    .superRefine((policy, ctx) => {
      // Across sections: a recovery threshold looser than the SLO would call an incident recovered
      // while the error budget still burns.
      const check = policy.healthCheck.prometheus;
      if (!check) return;
      const percent = policy.slo.availabilityPercent;
      // Out-of-range thresholds already have their own issue; compare only real ratios.
      const { max, min } = check;
      if (typeof max === 'number' && max <= 1 && max > sloThreshold('max', percent))
        ctx.addIssue({
          code: 'custom',
          path: ['healthCheck', 'prometheus', 'max'],
          message: `allows more errors than the SLO (slo.availabilityPercent ${percent} allows an error ratio of ${sloThreshold('max', percent)}); use 'slo' or a value at most that`,
        });
      if (typeof min === 'number' && min >= 0 && min < sloThreshold('min', percent))
        ctx.addIssue({
          code: 'custom',
          path: ['healthCheck', 'prometheus', 'min'],
          message: `is below the SLO (slo.availabilityPercent ${percent} means an availability of ${sloThreshold('min', percent)}); use 'slo' or a value at least that`,
        });
    });
  return policySchema;
}

export const policySchema = buildOnce('policy-schema', buildPolicySchema);

export type Policy = z.infer<typeof policySchema>;
export type PrometheusCheck = NonNullable<Policy['healthCheck']['prometheus']>;
export type PolicyDraft = z.input<typeof policySchema>;

/** The guide's defaults, parsed. */
export const defaultPolicy = (): Policy => policySchema.parse({});
