import type { Client } from '@temporalio/client';
import { type EngineConfig, loadEngineConfig } from '../config/engine-config';
import { type Env, loadEnv, temporalAddress, workflowUrl } from '../config/env';
import { EngineUnavailableError } from '../use-cases/errors';
import { colourEnabled, type Palette, palette } from './colour';

/** Options every verb accepts. */
export interface CommonOptions {
  json?: boolean;
}

/**
 * What a command needs, created once per invocation: the environment, the config file, a lazily
 * opened Temporal client and the output helpers. Commands receive it and build nothing themselves.
 */
export class CliContext {
  private clientPromise?: Promise<Client>;
  readonly c: Palette;

  private constructor(
    readonly env: Env,
    readonly config: EngineConfig,
    readonly json: boolean,
    private readonly out: NodeJS.WriteStream,
  ) {
    this.c = palette(!json && colourEnabled(out));
  }

  /** Reads the environment and the config file; either failing is a one-line error naming the field. */
  static async create(options: { json?: boolean; config?: string }): Promise<CliContext> {
    const env = loadEnv();
    // The CLI has no log stream: a renamed variable is a warning line on stderr, as errors are.
    for (const warning of env.deprecations) process.stderr.write(`warning: ${warning}\n`);
    const config = await loadEngineConfig(options.config ?? env.INCIDENT_CONFIG);
    return new CliContext(env, config, Boolean(options.json), process.stdout);
  }

  client(): Promise<Client> {
    // Loaded here, not at the top: the Temporal client and gRPC are most of the CLI's start-up
    // time, and `--help`, `plan` and `doctor` never connect (bench/cli-cold-start.ts).
    this.clientPromise ??= import('../temporal/connection')
      .then(({ connectClient }) => connectClient(this.env))
      .catch((error: unknown) => {
        throw new EngineUnavailableError(
          `cannot reach Temporal at ${temporalAddress(this.env)} (${(error as Error).message.split('\n')[0]}); start it with npm start, or set TEMPORAL_ADDRESS or TEMPORAL_PROFILE`,
          { cause: error },
        );
      });
    return this.clientPromise;
  }

  url(workflowId: string): string {
    return workflowUrl(this.env, workflowId);
  }

  /** Prints `value` as one JSON document under --json, otherwise the human lines. */
  print(value: unknown, human: () => string): void {
    this.out.write(this.json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
  }

  /** One line of progress for people (nothing under --json, which prints documents only). */
  note(line: string): void {
    if (!this.json) this.out.write(`${line}\n`);
  }

  /** Writes one NDJSON line (watch --json). */
  emit(value: unknown): void {
    this.out.write(`${JSON.stringify(value)}\n`);
  }

  async close(): Promise<void> {
    if (this.clientPromise) await (await this.clientPromise.catch(() => undefined))?.connection.close();
  }
}
