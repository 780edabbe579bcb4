import { z } from 'zod';

/**
 * How incidents are run: timers, escalation, approvals, SLO. Owned by the lifecycle; defaults are
 * the guide's. (Issue 3 grows this.)
 */
export const policySchema = z.object({}).strict();
export type Policy = z.infer<typeof policySchema>;
