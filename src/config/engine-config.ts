import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { alertRoutingSchema } from './alert-routing';
import { crossCheckConfig } from './cross-check';
import { policySchema } from './policy';
import { targetSchema } from './target';

/**
 * The one config file (JSON or YAML) that says what the engine does: which repository, which
 * commands, which timers, who may approve. Every section has defaults taken from the incident
 * response guide, so an empty file (or none) is a valid configuration.
 */
export const engineConfigSchema = z
  .object({
    /** Where incident folders (note, logs, report) are written. */
    incidentsDir: z.string().min(1).default('incidents'),
    policy: policySchema.prefault({}),
    target: targetSchema.prefault({}),
    alertRouting: alertRoutingSchema.prefault({}),
  })
  .strict();

export type EngineConfig = z.infer<typeof engineConfigSchema>;

export const DEFAULT_CONFIG_FILES = ['incident.config.yaml', 'incident.config.yml', 'incident.config.json'];

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Validates an already-parsed config; errors name each field by its dotted path. */
export function parseEngineConfig(raw: unknown, origin = 'config'): EngineConfig {
  const result = engineConfigSchema.safeParse(raw ?? {});
  const crossIssues = result.success ? crossCheckConfig(result.data, raw) : [];
  if (result.success && crossIssues.length === 0) return result.data;
  const issues = result.success ? crossIssues.map((i) => ({ ...i, path: [i.path] })) : result.error.issues;
  const lines = issues.map((issue) => {
    const path = issue.path.length ? issue.path.join('.') : '(top level)';
    return `${path}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid ${origin}: ${lines.join('; ')}`);
}

/**
 * Loads the config from `path`, or from the first default file in `cwd`, or the defaults.
 * A file that exists but cannot be parsed is an error, never silently ignored.
 */
export async function loadEngineConfig(path?: string, cwd = process.cwd()): Promise<EngineConfig> {
  const file = path
    ? resolve(cwd, path)
    : DEFAULT_CONFIG_FILES.map((name) => resolve(cwd, name)).find((candidate) => existsSync(candidate));
  if (!file) return parseEngineConfig({}, 'default config');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read config file ${file}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      `Config file ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  return parseEngineConfig(raw, `config file ${file}`);
}
