import { z } from 'zod';

/**
 * The service repository incidents act on: where it is, its services and the runbook commands.
 * Defaults are the guide's pnpm commands. (Issue 4 grows this.)
 */
export const targetSchema = z.object({}).strict();
export type Target = z.infer<typeof targetSchema>;
