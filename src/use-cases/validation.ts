import type { z } from 'zod';
import { InvalidRequestError } from './errors';

/** The first zod issue as `field: reason`, the way both the CLI and the API report bad input. */
export function describeIssue(error: z.ZodError, root?: string): { field: string; message: string } {
  const issue = error.issues[0]!;
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const path = [root, ...issue.path.map(String), ...(keys.length === 1 ? keys : [])]
    .filter(Boolean)
    .join('.');
  const field = path || '(body)';
  const message =
    issue.code === 'unrecognized_keys'
      ? `unknown field${keys.length > 1 ? `s ${keys.map((k) => `${path ? `${path}.` : ''}${k}`).join(', ')}` : ''}`
      : issue.message;
  return { field, message };
}

/** Parses or throws an {@link InvalidRequestError} naming the field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, root?: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { field, message } = describeIssue(result.error, root);
  throw new InvalidRequestError(`${field}: ${message}`, field);
}
