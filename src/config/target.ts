import { z } from 'zod';

/**
 * The service repository incidents act on: where it is, its services, the runbook commands and
 * their timeouts. Every command is an argument array (never a shell string); defaults are the
 * incident response guide's pnpm commands, so an empty `target` section runs the guide as written.
 */

const argv = z
  .array(z.string().min(1))
  .min(1, 'needs at least the program, e.g. ["pnpm", "build"]')
  .refine((args) => args[0]?.startsWith('-') !== true, 'the program must not start with "-"');

const command = (args: string[], timeoutMs: number) =>
  z
    .object({
      /** Program and arguments, run without a shell in the target repository. */
      argv: argv.default(args),
      /** The command is killed (whole process tree) when it runs longer than this. */
      timeoutMs: z.number().int().positive().default(timeoutMs),
      /** Extra environment for this command only. */
      env: z.record(z.string(), z.string()).default({}),
    })
    .strict()
    .default({ argv: args, timeoutMs, env: {} });

const MINUTE = 60_000;

/** The guide's commands, by the names steps and diagnostics use. */
export const runbookSchema = z
  .object({
    install: command(['pnpm', 'install'], 5 * MINUTE),
    build: command(['pnpm', 'build'], 10 * MINUTE),
    buildWidgets: command(['pnpm', 'build:widgets'], 10 * MINUTE),
    test: command(['pnpm', 'test'], 10 * MINUTE),
    contractTest: command(['pnpm', 'test:mcp-contract'], 5 * MINUTE),
    visualTest: command(['pnpm', 'test:visual:web'], 10 * MINUTE),
    visualUpdate: command(['pnpm', 'test:visual:update'], 10 * MINUTE),
    dependencyListing: command(['pnpm', 'ls', '--depth=0'], 2 * MINUTE),
    upstreamUiSdk: command(['pnpm', 'list', '@openai/apps-sdk-ui'], 2 * MINUTE),
  })
  .strict()
  .prefault({});
export type Runbook = z.infer<typeof runbookSchema>;
export type RunbookCommandName = keyof Runbook;
export const RUNBOOK_COMMANDS = [
  'install',
  'build',
  'buildWidgets',
  'test',
  'contractTest',
  'visualTest',
  'visualUpdate',
  'dependencyListing',
  'upstreamUiSdk',
] as const satisfies readonly RunbookCommandName[];

export const serviceSchema = z
  .object({
    /** Starts the service in the foreground; the engine detaches it and records its PID. */
    start: argv.default(['pnpm', 'mcp:start']),
    /** TCP port the service listens on, passed to it (and to runbook commands) as `portEnv`. */
    port: z.number().int().min(1).max(65_535).default(8787),
    portEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name')
      .default('MCP_PORT'),
    /** Health URL; defaults to http://127.0.0.1:<port>/health. */
    healthUrl: z.url().optional(),
    /** PID file, relative to the repository (keep it git-ignored) or absolute. */
    pidFile: z.string().min(1).optional(),
    /** How long a start may take to become healthy. */
    startTimeoutMs: z.number().int().positive().default(30_000),
    /** SIGTERM, then SIGKILL after this long. */
    stopGraceMs: z.number().int().positive().default(5_000),
  })
  .strict();
export type ServiceConfig = z.infer<typeof serviceSchema>;

export const targetSchema = z
  .object({
    /** The working copy to act on; rollback inputs may name another (a drill's clone). */
    repoPath: z.string().min(1).optional(),
    /** Tags that mark a known-good release, for `git tag --list`; the newest by version wins. */
    knownGoodTagPattern: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._/*-]{0,99}$/, 'must be ref characters and "*", e.g. "v*"')
      .default('v*'),
    /** Paths the scenarios look at, relative to the repository. */
    paths: z
      .object({
        mcp: z.string().min(1).default('platforms/mcp/'),
        ui: z.string().min(1).default('packages/ui/src/'),
        widgetsDist: z.string().min(1).default('dist/widgets'),
        visualBaselines: z.string().min(1).default('tests/visual/baselines'),
        tests: z.array(z.string().min(1)).default(['test', 'tests']),
      })
      .strict()
      .prefault({}),
    /** Largest allowed widget file, for the bundle-size diagnostic. */
    widgetBudgetBytes: z
      .number()
      .int()
      .positive()
      .default(16 * 1024),
    services: z
      .record(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'service names are kebab-case'), serviceSchema)
      // Keyed like the routing default (alertRouting.defaults.services), so an unlabelled alert's
      // service is one the rollbacks can stop and start.
      .default({
        'mcp-server': serviceSchema.parse({}),
      }),
    runbook: runbookSchema,
    /**
     * Cancels a stuck CI job (the guide's `gh run cancel <run-id>`). The argument exactly equal to
     * `{runId}` is replaced by the validated run ID; nothing else is substituted.
     */
    ciCancel: z
      .object({ argv, timeoutMs: z.number().int().positive().default(MINUTE) })
      .strict()
      .optional(),
    /** A repository lock older than this whose owner cannot be checked is taken over. */
    lockStaleAfterMs: z
      .number()
      .int()
      .positive()
      .default(60 * MINUTE),
    /**
     * Backup refs (`refs/incident-backup/<ID>`) older than this are deleted when the next rollback
     * saves its own; the current incident's is never deleted.
     */
    backupRefMaxAgeDays: z.number().int().positive().default(30),
  })
  .strict();
export type Target = z.infer<typeof targetSchema>;
