/**
 * The engine config doctor writes from an inspection: every runbook command, the service and the
 * paths spelled out (nothing left to a default that assumes pnpm), validated by the engine's own
 * schema before it is written.
 */
import { stringify } from 'yaml';
import { type EngineConfig, parseEngineConfig } from '../config/engine-config';
import { RUNBOOK_COMMANDS } from '../config/target';
import type { Inspection } from './inspect';

/** The guide's default service port, used when the server's source names none. */
export const FALLBACK_PORT = 8787;

/** The service key doctor writes: the engine's default, and the `service` label alerts carry. */
export const DEFAULT_SERVICE_KEY = 'mcp-server';

/** What the operator chose on the command line rather than doctor found in the repository. */
export interface DoctorConfigOptions {
  /** The key under target.services (default `mcp-server`). */
  service?: string;
  /** The port the service listens on, instead of the one its source names. */
  port?: number;
  /** A policy section copied as it is (e.g. from `--policy-file`), validated with the rest. */
  policy?: unknown;
}

export interface DoctorConfig {
  raw: { target: Record<string, unknown> };
  config: EngineConfig;
}

export function configFromInspection(
  inspection: Inspection,
  widgetsDist: string,
  options: DoctorConfigOptions = {},
): DoctorConfig {
  const { runbook, server } = inspection;
  const commands: Record<string, { argv: string[] }> = {};
  for (const name of RUNBOOK_COMMANDS) {
    const found = runbook[name];
    if (found) commands[name] = { argv: found.argv };
  }
  const port = options.port ?? server?.defaultPort ?? FALLBACK_PORT;
  const services = server
    ? {
        [options.service ?? DEFAULT_SERVICE_KEY]: {
          start: server.start,
          port,
          ...(server.portEnv ? { portEnv: server.portEnv } : {}),
          ...(server.healthPath && server.healthPath !== '/health'
            ? { healthUrl: `http://127.0.0.1:${port}${server.healthPath}` }
            : {}),
        },
      }
    : undefined;
  const raw: { target: Record<string, unknown>; policy?: unknown } = {
    ...(options.policy !== undefined ? { policy: options.policy } : {}),
    target: {
      repoPath: inspection.repo,
      knownGoodTagPattern: inspection.knownGoodTagPattern,
      paths: {
        ...(inspection.mcpPath ? { mcp: inspection.mcpPath } : {}),
        ...(inspection.uiPath ? { ui: inspection.uiPath } : {}),
        widgetsDist,
        ...(inspection.visualBaselines ? { visualBaselines: inspection.visualBaselines } : {}),
        ...(inspection.testPaths.length ? { tests: inspection.testPaths } : {}),
      },
      ...(services ? { services } : {}),
      runbook: commands,
    },
  };
  return { raw, config: parseEngineConfig(raw, 'doctor config') };
}

/** YAML for `.yaml` / `.yml` files, JSON otherwise. */
export function renderConfig(raw: Record<string, unknown>, file: string): string {
  return /\.ya?ml$/i.test(file)
    ? `# Written by incident doctor; every field is explained in docs/target-repository.md.\n${stringify(raw)}`
    : `${JSON.stringify(raw, null, 2)}\n`;
}
