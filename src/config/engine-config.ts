import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { z } from 'zod';
import { alertRoutingSchema } from './alert-routing';
import { crossCheckConfig } from './cross-check';
import { policySchema } from '../contracts/policy';
import { slackConfigSchema } from './slack';
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
    /** Slack interactive approvals: member ID → approver identity. */
    slack: slackConfigSchema.prefault({}),
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

/** Where a key or value sits in the file: 1-based line of a dotted path, if the file has it. */
export type LineOf = (path: readonly PropertyKey[], key?: PropertyKey) => number | undefined;

const MAX_ISSUES = 5;
const PLAIN_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * A key as it may appear in an error: a plain name, at most 40 characters. Anything else (a line
 * of /etc/shadow read as a key, a token pasted in the wrong place) is not repeated at all.
 */
function shownKey(key: PropertyKey): string {
  if (typeof key === 'number') return String(key);
  const text = String(key);
  if (!PLAIN_KEY.test(text)) return '(key not shown)';
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

const pathText = (path: readonly PropertyKey[]) =>
  path.length ? path.map(shownKey).join('.') : '(top level)';

/**
 * The health URL is written once: when the policy names no recovery-check URL, the first service
 * with an explicit `healthUrl` is the one the recovery check probes. A service without one does
 * not turn the 30-minute check on by itself (its derived URL may not be what the team watches).
 */
function withRecoveryUrl(config: EngineConfig): EngineConfig {
  if (config.policy.healthCheck.url) return config;
  const url = Object.values(config.target.services).find((s) => s.healthUrl)?.healthUrl;
  if (!url) return config;
  return { ...config, policy: { ...config.policy, healthCheck: { ...config.policy.healthCheck, url } } };
}

/**
 * Validates an already-parsed config; errors name each field by its dotted path and, with
 * `lineOf`, its line. Never repeats a value from the file: unknown keys are named only when they
 * are plain names, messages quote the schema, and at most five problems are listed.
 */
export function parseEngineConfig(raw: unknown, origin = 'config', lineOf?: LineOf): EngineConfig {
  const result = engineConfigSchema.safeParse(raw ?? {});
  const crossIssues = result.success ? crossCheckConfig(result.data, raw) : [];
  if (result.success && crossIssues.length === 0) return withRecoveryUrl(result.data);
  const at = (path: readonly PropertyKey[], key?: PropertyKey) => {
    const line = lineOf?.(path, key);
    return line ? ` (line ${line})` : '';
  };
  // Cross-section checks run on a config that parsed: their messages name fields and services
  // (kebab-case names the schema already accepted), never free text from the file.
  const lines = result.success
    ? crossIssues.map(
        (issue) =>
          `${issue.path}: ${issue.message}${at(issue.path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s)))}`,
      )
    : // Not z.prettifyError: that would quote the refused value, and a config file's values
      // (tokens, URLs with credentials) must never be echoed back.
      result.error.issues.flatMap((issue) => {
        if (issue.code === 'unrecognized_keys')
          return issue.keys.map(
            (key) =>
              `${pathText(issue.path)}: Unrecognized key: ${PLAIN_KEY.test(String(key)) ? `"${shownKey(key)}"` : shownKey(key)}${at(issue.path, key)}`,
          );
        // Read from a file, a message never quotes the value it refused (", got ..." in src/contracts/policy.ts).
        const message = lineOf ? issue.message.replace(/, got [\s\S]*$/, '') : issue.message;
        return [`${pathText(issue.path)}: ${message}${at(issue.path)}`];
      });
  const more = lines.length > MAX_ISSUES ? `; and ${lines.length - MAX_ISSUES} more` : '';
  throw new ConfigError(`Invalid ${origin}: ${lines.slice(0, MAX_ISSUES).join('; ')}${more}`);
}

/** Line numbers from the yaml library's node positions (JSON is YAML, so both kinds of file). */
function lineFinder(text: string): LineOf {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  return (path, key) => {
    let node: unknown = doc.contents;
    let keyNode: Node | undefined;
    for (const segment of key === undefined ? path : [...path, key]) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === segment);
        keyNode = pair?.key as Node | undefined;
        node = pair?.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        keyNode = undefined;
        node = node.items[segment];
      } else return undefined;
    }
    const offset = (keyNode ?? (node as Node | undefined))?.range?.[0];
    return offset === undefined ? undefined : counter.linePos(offset).line;
  };
}

/**
 * Loads the config from `path`, or from the first default file in `cwd`, or the defaults.
 * A file that exists but cannot be parsed is an error, never silently ignored; errors name the
 * file and a line, never its contents.
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
  const json = file.endsWith('.json');
  let raw: unknown;
  try {
    raw = json ? JSON.parse(text) : parseYamlStrict(text);
  } catch (error) {
    throw new ConfigError(
      `Config file ${file} is not valid ${json ? 'JSON' : 'YAML'}${syntaxWhere(error, text)}`,
    );
  }
  return parseEngineConfig(raw, `config file ${file}`, lineFinder(text));
}

function parseYamlStrict(text: string): unknown {
  const doc = parseDocument(text);
  if (doc.errors[0]) throw doc.errors[0];
  return doc.toJS();
}

/**
 * Where the syntax broke, as ": <problem> at line N" without the text around it (JSON.parse and
 * yaml both quote the file in their messages).
 */
function syntaxWhere(error: unknown, text: string): string {
  const yamlError = error as { code?: string; linePos?: [{ line: number; col: number }] };
  if (yamlError.linePos) return `: ${yamlError.code ?? 'syntax error'} at line ${yamlError.linePos[0].line}`;
  const position = /position (\d+)/.exec((error as Error).message)?.[1];
  if (position !== undefined) return ` at line ${text.slice(0, Number(position)).split('\n').length}`;
  // Newer V8 messages quote the text instead of giving a position; the yaml parser still finds the line.
  const line = parseDocument(text).errors[0]?.linePos?.[0].line;
  return line === undefined ? '' : ` at line ${line}`;
}
