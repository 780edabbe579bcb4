import { type ClientConfigProfile, loadClientConfigProfile } from '@temporalio/envconfig';
import { z } from 'zod';
import { WORKER_TUNING_FIXES, workerTuningEnv } from './worker-tuning';
import { DEFAULT_DEV_SQLITE_MODE, DEV_SQLITE_MODES, type DevSqliteMode } from './dev-sqlite';

/**
 * Settings read from the environment. Everything a deployment changes (where Temporal is, which
 * ports, secrets) lives here; what the engine does lives in the config file (engine-config.ts).
 */
const HOST_PORT = /^[^\s:/]+:\d+$/;
const port = (fallback: number) => z.coerce.number().int().min(1).max(65_535).default(fallback);
const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

/**
 * Why a bearer token is too weak to guard the API, or undefined when it will do. A token that
 * passes binds the API to every interface, so whitespace, repeats and one-class strings (16 spaces,
 * "aaaa...", "abcdefghijklmnop") are refused at start rather than accepted and never matched.
 * The reason never quotes the token.
 */
export function apiTokenWeakness(token: string): string | undefined {
  if (token === '') return 'is blank (only whitespace)';
  if (token.length < 16) return 'must be at least 16 characters';
  if (!/^[\x21-\x7e]+$/.test(token)) return 'must be printable ASCII without spaces or control characters';
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(token)).length;
  if (classes < 2) return 'must mix at least two of lower case, upper case, digits and symbols';
  if (new Set(token).size < 8) return 'must have at least 8 different characters';
  return undefined;
}

/**
 * Where a process serves Prometheus metrics: `host:port` (IPv6 as `[::1]:9464`) or `off`. Parsed
 * here so a typo fails at start with the variable named, not inside the SDK's exporter.
 */
const metricsAddress = z
  .string()
  .trim()
  .regex(/^(off|(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5})$/, 'must be host:port or off')
  .refine(
    (value) => {
      const port = Number(value.slice(value.lastIndexOf(':') + 1));
      return value === 'off' || (port >= 1 && port <= 65_535);
    },
    { message: 'port must be 1-65535' },
  );

/** Checked against the modes the dev server knows, so a typo fails at start. */
const devSqliteMode = z
  .enum(Object.keys(DEV_SQLITE_MODES) as [DevSqliteMode, ...DevSqliteMode[]])
  .default(DEFAULT_DEV_SQLITE_MODE);

/** INCIDENT_DEV_SQLITE alone, for the benchmarks' own dev server (the same setting as `npm start`). */
export function devSqliteModeFrom(source: NodeJS.ProcessEnv = process.env): DevSqliteMode {
  const result = devSqliteMode.safeParse(source.INCIDENT_DEV_SQLITE || undefined);
  if (result.success) return result.data;
  throw invalid([['INCIDENT_DEV_SQLITE', result.error.issues[0]?.message ?? 'invalid']]);
}

const apiToken = z
  .string()
  .trim()
  .superRefine((token, ctx) => {
    const weakness = apiTokenWeakness(token);
    if (weakness) ctx.addIssue({ code: 'custom', message: weakness });
  });

/** pino's levels, lowest first; `silent` turns logging off. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Names this project used before it adopted the Temporal CLI's (envconfig) names. They still work
 * for one release: each is copied to its new name (unless that is set too) with a warning.
 */
export const RENAMED_VARIABLES = {
  TEMPORAL_TLS_CERT_PATH: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  TEMPORAL_TLS_KEY_PATH: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
  TEMPORAL_TLS_CA_PATH: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
} as const;

function withCurrentNames(source: Record<string, string | undefined>): {
  source: Record<string, string | undefined>;
  deprecations: string[];
} {
  const renamed = { ...source };
  const deprecations: string[] = [];
  for (const [old, current] of Object.entries(RENAMED_VARIABLES)) {
    if (renamed[old] === undefined) continue;
    if (renamed[current] === undefined) {
      renamed[current] = renamed[old];
      deprecations.push(`${old} is deprecated and will be removed in the next release: use ${current}`);
    } else {
      deprecations.push(`${old} is deprecated and ignored because ${current} is set: unset ${old}`);
    }
    delete renamed[old];
  }
  return { source: renamed, deprecations };
}

export const envSchema = z
  .object({
    TEMPORAL_ADDRESS: z.string().regex(HOST_PORT, 'must be host:port, for example 127.0.0.1:7233').optional(),
    /** Undefined until the profile is resolved in {@link loadEnv}, which falls back to `default`. */
    TEMPORAL_NAMESPACE: z.string().min(1).optional(),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('incident-response'),
    /** A profile of the `temporal.toml` file, as `temporal --profile`; see temporalProfile below. */
    TEMPORAL_PROFILE: z.string().min(1).optional(),
    /** The `temporal.toml` file; the CLI's default is ~/.config/temporalio/temporal.toml. */
    TEMPORAL_CONFIG_FILE: z.string().min(1).optional(),
    TEMPORAL_TLS: flag,
    TEMPORAL_TLS_CLIENT_CERT_PATH: z.string().min(1).optional(),
    TEMPORAL_TLS_CLIENT_KEY_PATH: z.string().min(1).optional(),
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: z.string().min(1).optional(),
    TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
    TEMPORAL_API_KEY: z.string().min(1).optional(),
    /** Lowest level written by every process's logger (src/logging/logger.ts). */
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    /** `json` or `pretty`; unset: pretty on a terminal, JSON lines otherwise. */
    LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
    TEMPORAL_PORT: port(7233),
    TEMPORAL_UI_PORT: port(8233),
    /** Base URL of the Web UI, for links; defaults to the local dev server's UI. */
    TEMPORAL_UI_URL: z.url().optional(),
    INCIDENT_DATA_DIR: z.string().min(1).default('.data'),
    /** How the dev server's SQLite file commits (src/temporal/dev-server.ts DEV_SQLITE_MODES). */
    INCIDENT_DEV_SQLITE: devSqliteMode,
    INCIDENT_CONFIG: z.string().min(1).optional(),
    API_HOST: z.string().min(1).optional(),
    API_PORT: port(8780),
    /**
     * Longest time a client may take to send one whole request (headers and body), in ms; a
     * slower one (slowloris) gets 408 and its connection closed. Default 60 s.
     */
    API_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(60_000),
    /** Trimmed; refused at start unless it looks generated (see {@link apiTokenWeakness}). */
    API_TOKEN: apiToken.optional(),
    GITHUB_WEBHOOK_SECRET: z.string().min(1).optional(),
    SLACK_WEBHOOK_URL: z.url().optional(),
    /** Bot token of the Slack app (chat:write); with SLACK_CHANNEL, notifications go as Block Kit messages. */
    SLACK_BOT_TOKEN: z
      .string()
      .trim()
      .regex(/^xox[a-z]-[A-Za-z0-9-]{8,}$/, 'must be a Slack bot token (xoxb-...)')
      .optional(),
    /** Channel ID (C0123ABC) or name (#incidents) the bot posts to. */
    SLACK_CHANNEL: z
      .string()
      .regex(/^(#[a-z0-9][a-z0-9._-]{0,79}|[CGD][A-Z0-9]{2,20})$/, 'must be a channel ID (C0123ABC) or #name')
      .optional(),
    /** Verifies Slack's request signatures on /webhooks/slack/interactions (the app's Signing Secret). */
    SLACK_SIGNING_SECRET: z.string().trim().min(16, "must be the Slack app's Signing Secret").optional(),
    /** Base of the Slack Web API (default https://slack.com/api/); tests point it at a fake server. */
    SLACK_API_URL: z.url().optional(),
    /** The worker's Prometheus endpoint; unset: {@link DEFAULT_METRICS_ADDRESS}.worker. */
    WORKER_METRICS_ADDRESS: metricsAddress.optional(),
    /** The API's Prometheus endpoint; unset: {@link DEFAULT_METRICS_ADDRESS}.api. */
    API_METRICS_ADDRESS: metricsAddress.optional(),
    /** How often the worker counts open incidents and waiting approvals for its gauges, in ms. */
    WORKER_METRICS_INTERVAL_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(15_000),
    /** Task pollers, slots and sticky settings of the worker (src/config/worker-tuning.ts). */
    ...workerTuningEnv,
    /** Incidents the worker keeps in memory (its workflow cache); unset: DEFAULT_MAX_CACHED_WORKFLOWS. */
    WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).optional(),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.TEMPORAL_TLS_CLIENT_CERT_PATH) !== Boolean(env.TEMPORAL_TLS_CLIENT_KEY_PATH)) {
      ctx.addIssue({
        code: 'custom',
        path: [
          env.TEMPORAL_TLS_CLIENT_CERT_PATH
            ? 'TEMPORAL_TLS_CLIENT_KEY_PATH'
            : 'TEMPORAL_TLS_CLIENT_CERT_PATH',
        ],
        message: 'mTLS needs both TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH',
      });
    }
    if (Boolean(env.SLACK_BOT_TOKEN) !== Boolean(env.SLACK_CHANNEL)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.SLACK_BOT_TOKEN ? 'SLACK_CHANNEL' : 'SLACK_BOT_TOKEN'],
        message: 'Slack messages need both SLACK_BOT_TOKEN and SLACK_CHANNEL',
      });
    }
    const [worker, api] = [metricsEndpoint(env, 'worker'), metricsEndpoint(env, 'api')];
    if (worker.address !== 'off' && worker.address === api.address) {
      ctx.addIssue({
        code: 'custom',
        path: ['API_METRICS_ADDRESS'],
        message: `must differ from WORKER_METRICS_ADDRESS (both ${api.address})`,
      });
    }
  });

export type Env = Omit<z.infer<typeof envSchema>, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'> & {
  /**
   * Where Temporal is, from TEMPORAL_ADDRESS or else the profile; undefined means "the local dev
   * server on TEMPORAL_PORT" (see {@link temporalAddress}).
   */
  TEMPORAL_ADDRESS?: string;
  /** From TEMPORAL_NAMESPACE, else the profile, else `default`. */
  TEMPORAL_NAMESPACE: string;
  /**
   * The connection profile exactly as the `temporal` CLI resolves it: the `temporal.toml` profile
   * (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE) overlaid with the TEMPORAL_* variables. TLS file
   * paths are not read here; src/temporal/connection.ts reads them when it connects.
   */
  temporalProfile: ClientConfigProfile;
  /** One sentence per old variable name still in use, for the process to log as a warning. */
  deprecations: string[];
};

/** How to fix each variable, appended to a validation error so the message is actionable. */
const FIXES: Partial<Record<keyof Env, string>> = {
  TEMPORAL_ADDRESS: 'unset it to use the local dev server, or set it to host:port of a reachable server',
  TEMPORAL_API_KEY: 'set it to a Temporal Cloud API key (TLS is then turned on)',
  TEMPORAL_PROFILE:
    'name a [profile.NAME] of the temporal.toml file (TEMPORAL_CONFIG_FILE, default ~/.config/temporalio/temporal.toml), or unset it',
  TEMPORAL_CONFIG_FILE: 'point it at a readable temporal.toml with [profile.NAME] tables, or unset it',
  LOG_LEVEL: 'use one of trace, debug, info, warn, error, fatal, silent; unset it for info',
  TEMPORAL_PORT: 'use a free TCP port such as 7233',
  TEMPORAL_UI_PORT: 'use a free TCP port such as 8233',
  INCIDENT_DEV_SQLITE: 'use wal (default), wal-full (survives a power cut) or rollback',
  API_PORT: 'use a free TCP port such as 8780',
  API_REQUEST_TIMEOUT_MS: 'use milliseconds between 1000 and 600000; unset it for 60000',
  API_TOKEN: 'generate one with: openssl rand -hex 32',
  SLACK_BOT_TOKEN: "copy the app's Bot User OAuth Token (OAuth & Permissions)",
  SLACK_CHANNEL: 'use the channel ID from the channel details, or #name',
  SLACK_SIGNING_SECRET: "copy the app's Signing Secret (Basic Information)",
  WORKER_METRICS_ADDRESS: 'use host:port such as 127.0.0.1:9464, or off',
  WORKER_METRICS_INTERVAL_MS: 'use milliseconds between 1000 and 3600000; unset it for 15000',
  WORKER_MAX_CACHED_WORKFLOWS:
    'use a whole number of cached incidents (0 turns the cache off; about 1.8 MB each); unset it for the default',
  API_METRICS_ADDRESS: "use host:port such as 127.0.0.1:9465 (not the worker's), or off",
  ...WORKER_TUNING_FIXES,
};

export class EnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvError';
  }
}

/** Parses the environment once; throws an {@link EnvError} naming each bad variable and its fix. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  // An empty variable (FOO= in a compose file or shell) means "not set", not "set to nothing".
  const { source: present, deprecations } = withCurrentNames(
    Object.fromEntries(Object.entries(source).filter(([, value]) => value !== '')),
  );
  const result = envSchema.safeParse(present);
  if (!result.success) {
    throw invalid(
      result.error.issues.map((issue) => [String(issue.path[0] ?? 'environment'), issue.message]),
    );
  }
  const env = result.data;
  const temporalProfile = resolveProfile(present, env.TEMPORAL_TLS);
  const address = temporalProfile.address;
  if (address !== undefined && !HOST_PORT.test(address)) {
    throw invalid([['TEMPORAL_ADDRESS', `the profile's address ${address} must be host:port`]]);
  }
  return {
    ...env,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: temporalProfile.namespace ?? 'default',
    temporalProfile,
    deprecations,
  };
}

const invalid = (issues: [name: string, message: string][]): EnvError =>
  new EnvError(
    `Invalid environment: ${issues
      .map(([name, message]) => {
        const fix = FIXES[name as keyof Env];
        return `${name}: ${message}${fix ? ` (fix: ${fix})` : ''}`;
      })
      .join('; ')}`,
  );

/**
 * The profile through @temporalio/envconfig, the code the `temporal` CLI's rules are ported to, so
 * `temporal --profile X` and the engine with TEMPORAL_PROFILE=X reach the same server. Only the
 * TEMPORAL_TLS spelling is normalised first: this project also accepted yes/no, envconfig only
 * 1/true.
 */
function resolveProfile(
  source: Record<string, string | undefined>,
  tls: boolean | undefined,
): ClientConfigProfile {
  const overrideEnvVars = Object.fromEntries(
    Object.entries(source).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  if (source.TEMPORAL_TLS !== undefined) overrideEnvVars.TEMPORAL_TLS = String(tls);
  try {
    return loadClientConfigProfile({ overrideEnvVars });
  } catch (error) {
    // First line only: a TOML parse error goes on to quote the file, which may hold an api_key.
    const message = (error as Error).message.split('\n')[0]!;
    const name = /^Profile /.test(message) ? 'TEMPORAL_PROFILE' : 'TEMPORAL_CONFIG_FILE';
    const file = source.TEMPORAL_CONFIG_FILE ?? 'the default temporal.toml';
    throw invalid([[name, `${message} (config file: ${file})`]]);
  }
}

/**
 * Metrics are on by default, on loopback only: a scraper on the same host (or a sidecar) reads
 * them, nothing is exposed to the network unless an operator says so. Worker and API get
 * different ports so both run on one machine; a second worker on the same machine finds the
 * default port taken and runs without metrics (src/temporal/metrics-runtime.ts) unless given its
 * own address. 9464 is the OpenTelemetry Prometheus exporter's customary port.
 */
export const DEFAULT_METRICS_ADDRESS = { worker: '127.0.0.1:9464', api: '127.0.0.1:9465' } as const;

export interface MetricsEndpoint {
  /** host:port, or `off`. */
  address: string;
  /** The variable that sets it, for messages. */
  variable: 'WORKER_METRICS_ADDRESS' | 'API_METRICS_ADDRESS';
  /** Set by the operator (a clash is then an error), not the default (a clash turns metrics off). */
  explicit: boolean;
}

export function metricsEndpoint(
  env: Pick<Env, 'WORKER_METRICS_ADDRESS' | 'API_METRICS_ADDRESS'>,
  role: 'worker' | 'api',
): MetricsEndpoint {
  const variable = role === 'worker' ? 'WORKER_METRICS_ADDRESS' : 'API_METRICS_ADDRESS';
  const set = env[variable];
  return { address: set ?? DEFAULT_METRICS_ADDRESS[role], variable, explicit: set !== undefined };
}

export const temporalAddress = (env: Env): string => env.TEMPORAL_ADDRESS ?? `127.0.0.1:${env.TEMPORAL_PORT}`;

export const webUiBase = (env: Env): string =>
  (env.TEMPORAL_UI_URL ?? `http://localhost:${env.TEMPORAL_UI_PORT}`).replace(/\/$/, '');

/** The Web UI page of one workflow, printed by every CLI verb and API answer. */
export const workflowUrl = (env: Env, workflowId: string): string =>
  `${webUiBase(env)}/namespaces/${encodeURIComponent(env.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`;
