import { z } from 'zod';

/**
 * The parts of GitHub's `workflow_run` and `check_run` events the engine reads. GitHub adds fields
 * to its payloads at any time and the body is authenticated by its HMAC signature, so these
 * schemas check the fields used and ignore the rest (unlike the strict alert schemas).
 */
const repository = z.object({
  full_name: z.string().min(1).max(256),
  html_url: z.string().max(2_000).optional(),
});
const conclusion = z.string().max(64).nullable().optional();

export const workflowRunEventSchema = z.object({
  action: z.string().max(64),
  repository,
  workflow_run: z.object({
    id: z.number().int(),
    name: z.string().max(256).nullable().optional(),
    workflow_id: z.number().int().optional(),
    head_branch: z.string().max(256).nullable().optional(),
    head_sha: z.string().max(64).optional(),
    conclusion,
    html_url: z.string().max(2_000).optional(),
    updated_at: z.string().max(64).optional(),
    run_attempt: z.number().int().optional(),
  }),
});

export const checkRunEventSchema = z.object({
  action: z.string().max(64),
  repository,
  check_run: z.object({
    id: z.number().int(),
    name: z.string().max(256),
    head_sha: z.string().max(64).optional(),
    conclusion,
    html_url: z.string().max(2_000).nullable().optional(),
    completed_at: z.string().max(64).nullable().optional(),
    check_suite: z.object({ head_branch: z.string().max(256).nullable().optional() }).optional(),
  }),
});

/** Conclusions that mean CI failed; success / neutral / skipped / cancelled do not open incidents. */
export const FAILED_CONCLUSIONS = ['failure', 'timed_out', 'startup_failure'];
export const PASSED_CONCLUSIONS = ['success'];
