import { z } from 'zod';

/**
 * Rules that turn alert labels into service, severity and scenario. (Issue 5 grows this.)
 */
export const alertRoutingSchema = z.object({}).strict();
export type AlertRouting = z.infer<typeof alertRoutingSchema>;
