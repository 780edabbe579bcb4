/** One problem a config cross-check found. */
export interface ConfigIssue {
  /** Dotted field path, as zod's issues name them. */
  path: string;
  message: string;
}
