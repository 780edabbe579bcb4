/**
 * Checks between config sections that zod checks one at a time cannot make: every service a
 * routing rule names exists in target.services, the MCP path is one the rollback can use, every
 * procedure can be planned, and the approval policy can be met (approval-check.ts). A config
 * that fails here would fail mid-incident instead.
 */
import { assertRepoPath, UnsafeInputError } from '../domain/git-safety';
import { buildProcedure, ProcedurePlanError } from '../domain/procedures';
import type { RollbackProcedure } from '../contracts/rollback';
import type { Policy } from '../contracts/policy';
import type { AlertRouting } from './alert-routing';
import { approvalIssues } from './approval-check';
import type { ConfigIssue } from './config-issue';
import type { Target } from './target';

export type { ConfigIssue } from './config-issue';

const PROCEDURES: RollbackProcedure[] = ['widget', 'mcp', 'full'];

/** True when the raw config wrote `alertRouting.defaults.services` itself (not the default). */
function wroteDefaultServices(raw: unknown): boolean {
  const routing = (raw as { alertRouting?: { defaults?: { services?: unknown } } } | null)?.alertRouting;
  return routing?.defaults?.services !== undefined;
}

/**
 * The problems of an already-parsed config, each naming its field. The built-in routing default
 * (`mcp-server`) is only checked when written out: an incident for a service the target does not
 * have is still planned, against every configured service, with a note.
 */
export function crossCheckConfig(
  config: { target: Target; alertRouting: AlertRouting; policy: Policy },
  raw: unknown,
): ConfigIssue[] {
  const { target, alertRouting } = config;
  const issues: ConfigIssue[] = approvalIssues(config.policy);
  const names = Object.keys(target.services);
  const unknownService = (path: string, service: string) => {
    if (!names.includes(service))
      issues.push({
        path,
        message: `${JSON.stringify(service)} is not in target.services (${names.join(', ') || 'none'}); add it there or name one of those`,
      });
  };
  alertRouting.rules.forEach((rule, i) =>
    rule.services?.forEach((s, j) => unknownService(`alertRouting.rules.${i}.services.${j}`, s)),
  );
  if (wroteDefaultServices(raw))
    alertRouting.defaults.services.forEach((s, j) =>
      unknownService(`alertRouting.defaults.services.${j}`, s),
    );
  try {
    assertRepoPath(target.paths.mcp, 'target.paths.mcp');
  } catch (error) {
    if (!(error instanceof UnsafeInputError)) throw error;
    issues.push({
      path: 'target.paths.mcp',
      message: `${error.message}; the MCP rollback reverts this path`,
    });
  }
  const ports = new Map<number, string>();
  for (const [name, svc] of Object.entries(target.services)) {
    const other = ports.get(svc.port);
    if (other)
      issues.push({
        path: `target.services.${name}.port`,
        message: `${svc.port} is also target.services.${other}.port; each service needs its own port`,
      });
    else ports.set(svc.port, name);
  }
  for (const procedure of PROCEDURES)
    try {
      buildProcedure({ procedure, mode: procedure === 'widget' ? 'revert' : 'checkout' }, target);
    } catch (error) {
      if (!(error instanceof ProcedurePlanError)) throw error;
      const path = /target\.(\w+)/.exec(error.message)?.[0] ?? 'target';
      if (!issues.some((i) => i.path === path)) issues.push({ path, message: error.message });
    }
  return issues;
}
