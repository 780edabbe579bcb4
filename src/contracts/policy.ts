import { z } from 'zod';
import { MITIGATION_OPTIONS, SEVERITIES } from './incident';
import { parseDuration } from './duration';

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

const GUIDE_OWNER = '@jscraik';
export const policySchema = z
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
      })
      .strict()
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
  .strict();

export type Policy = z.infer<typeof policySchema>;
export type PolicyDraft = z.input<typeof policySchema>;

/** The guide's defaults, parsed. */
export const defaultPolicy = (): Policy => policySchema.parse({});
