import type { RollbackDrillResult } from '../contracts/drill';
import { formatDuration } from '../contracts/duration';

/**
 * The drill report, `incidents/drills/<drill-id>/report.md`: one section per procedure with the
 * rollback's steps and the drill's own checks. Pure, so the workflow renders it deterministically.
 */
const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const span = (from: string, to: string) => formatDuration(Math.max(0, Date.parse(to) - Date.parse(from)));

export function drillSummaryLine(result: Pick<RollbackDrillResult, 'drillId' | 'ok' | 'procedures'>): string {
  const parts = result.procedures.map(
    (p) =>
      `${p.procedure} ${p.ok ? 'ok' : `FAILED${p.rollback?.failedStep ? ` at ${p.rollback.failedStep}` : p.error ? ` (${p.error.split('\n')[0]})` : ''}`}`,
  );
  return `Rollback drill ${result.drillId} ${result.ok ? 'passed' : 'FAILED'}: ${parts.join(', ')}`;
}

export function renderDrillReport(result: RollbackDrillResult): string {
  const rows = result.procedures
    .map(
      (p) =>
        `| ${p.procedure} | ${p.ok ? 'passed' : 'FAILED'} | ${p.mode ?? ''} | ${p.knownGood ? `${p.knownGood.tag} (${p.knownGood.sha.slice(0, 12)})` : ''} | ${span(p.startedAt, p.endedAt)} |`,
    )
    .join('\n');
  const sections = result.procedures
    .map((p) => {
      const steps = (p.rollback?.steps ?? [])
        .map((s) => `| ${s.step} | ${s.status} | ${span(s.startedAt, s.endedAt)} | ${cell(s.detail ?? '')} |`)
        .join('\n');
      const checks = p.checks.map((c) => `- [${c.ok ? 'x' : ' '}] ${c.check}: ${c.detail}`).join('\n');
      return `## ${p.procedure} rollback

- Rollback workflow: \`${p.rollbackWorkflowId}\`
- Clone: ${p.clonePath ? `\`${p.clonePath}\` (disposable)` : 'not prepared'}
- Synthetic breaking commit: ${p.badCommit ? `\`${p.badCommit}\`` : 'none'}
${p.error ? `- Error: ${cell(p.error)}\n` : ''}${p.rollback?.failedStep ? `- Failed step: ${p.rollback.failedStep}${p.rollback.error ? `: ${cell(p.rollback.error)}` : ''}\n` : ''}
### Steps

${steps ? `| Step | Status | Took | Detail |\n|------|--------|------|--------|\n${steps}` : '_The rollback did not run._'}

### Checks

${checks || '- [ ] no checks ran'}
`;
    })
    .join('\n');
  return `# Rollback Drill: ${result.drillId}

**Date:** ${result.startedAt.slice(0, 10)}
**Result:** ${result.ok ? 'passed' : 'FAILED'}
**Duration:** ${span(result.startedAt, result.endedAt)}
**Source repository:** ${result.sourceRepoPath ? `\`${result.sourceRepoPath}\` (read only; each procedure ran on a disposable clone)` : 'not resolved'}

The guide's "Verify: Rollback procedures work: test rollback quarterly". Each procedure ran against
a fresh clone of the target at its known-good tag plus one synthetic breaking commit, and had to
bring the clone back to the known-good tree with its own verification steps passing.

| Procedure | Result | Mode | Known-good | Took |
|-----------|--------|------|------------|------|
${rows}

${sections}`;
}
