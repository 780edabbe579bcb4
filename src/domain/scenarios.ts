import type { MitigationOption, Scenario } from '../contracts/incident';
import type { RollbackProcedure } from '../contracts/rollback';

/**
 * The guide's "Common Incident Scenarios" as data: what each looks like, what triage runs, which
 * mitigations to offer in order, what to ask about the root cause and what prevents a repeat.
 * Triage, mitigation and the post-incident report all read from here, so the guide's text lives
 * in one place.
 */
export type DiagnosticId =
  | 'recent-commits'
  | 'recent-commits-mcp'
  | 'contract-test'
  | 'dependency-listing'
  | 'widget-build'
  | 'upstream-ui-sdk'
  | 'visual-diff'
  | 'ui-source-diff'
  | 'bundle-size'
  | 'test-timeouts';

/** What each diagnostic runs, as the guide writes it; for the timeline and the report. */
export const DIAGNOSTIC_COMMANDS: Record<DiagnosticId, string> = {
  'recent-commits': 'git log --oneline -10',
  'recent-commits-mcp': 'git log --oneline -5 platforms/mcp/',
  'contract-test': 'pnpm test:mcp-contract',
  'dependency-listing': 'pnpm ls --depth=0',
  'widget-build': 'pnpm build:widgets',
  'upstream-ui-sdk': 'pnpm list @openai/apps-sdk-ui',
  'visual-diff': 'pnpm test:visual:web',
  'ui-source-diff': 'git diff HEAD~1 packages/ui/src/',
  'bundle-size': 'ls -l dist/widgets/*.html (against the configured budget)',
  'test-timeouts': 'grep -r "timeout" <test folders>',
};

/**
 * Engine actions that are not rollback procedures: the workflow or activity that carries out a
 * mitigation option. `visualBaselinesUpdate` is a child workflow (lock, update, commit, verify);
 * `cancelCiJob` is an activity running the configured `target.ciCancel` command.
 */
export type MitigationAction =
  { kind: 'workflow'; workflowType: 'visualBaselinesUpdate' } | { kind: 'activity'; activity: 'cancelCiJob' };

export interface MitigationStep {
  option: MitigationOption;
  /** destructive options wait for an approval; safe ones run at once. */
  risk: 'safe' | 'destructive';
  /** The rollback child workflow that carries it out; absent when a human does the work. */
  procedure?: RollbackProcedure;
  /** Another engine action that carries it out (baseline update, CI cancel), when not a procedure. */
  action?: MitigationAction;
  /** What the step does, as the guide says it. */
  description: string;
  /** The MCP procedure reverts the whole commit, not only the MCP path's part of it. */
  revertWholeCommit?: boolean;
}

export interface ScenarioSpec {
  id: Scenario;
  title: string;
  symptoms: string[];
  diagnostics: DiagnosticId[];
  mitigations: MitigationStep[];
  rootCauseQuestions: string[];
  prevention: string[];
  /** The question a human must answer before mitigation (visual regression: intended or not). */
  humanQuestion?: string;
}

const revert = (procedure: RollbackProcedure, description: string): MitigationStep => ({
  option: 'revert-last-change',
  risk: 'destructive',
  procedure,
  description,
});
const disableFeature: MitigationStep = {
  option: 'disable-feature',
  risk: 'safe',
  description:
    'Disable the failing feature: add a feature flag, return early from failing code, route around the failure',
};
const knownGood = (procedure: RollbackProcedure): MitigationStep => ({
  option: 'deploy-known-good',
  risk: 'destructive',
  procedure,
  description: 'Deploy the last known-good version: check out the stable tag, install, build',
});
const workaround: MitigationStep = {
  option: 'workaround',
  risk: 'safe',
  description: 'Implement a workaround: manual process, temporary configuration change, increased capacity',
};

export const SCENARIO_CATALOGUE: Record<Scenario, ScenarioSpec> = {
  'mcp-server-fails-to-start': {
    id: 'mcp-server-fails-to-start',
    title: 'MCP Server Fails to Start',
    symptoms: ['`pnpm mcp:start` fails', 'Contract tests fail', 'Widgets show "tool unavailable" errors'],
    diagnostics: ['recent-commits-mcp', 'contract-test', 'dependency-listing'],
    mitigations: [
      revert('mcp', 'Revert the last change to platforms/mcp/, install, restart the MCP server'),
      disableFeature,
      knownGood('mcp'),
      workaround,
    ],
    rootCauseQuestions: [
      'Was contract changed without semver bump?',
      'Did dependency update break something?',
      'Was environment variable missing?',
    ],
    prevention: [
      'Add contract tests to CI',
      'Pin critical dependencies',
      'Document required environment variables',
    ],
  },
  'widget-build-fails': {
    id: 'widget-build-fails',
    title: 'Widget Build Fails in CI',
    symptoms: ['CI build fails', 'TypeScript errors', 'Bundle size exceeded'],
    diagnostics: ['widget-build', 'upstream-ui-sdk', 'bundle-size', 'recent-commits'],
    mitigations: [
      revert('widget', 'Revert the problematic commit, reinstall, rebuild the widgets, verify'),
      disableFeature,
      knownGood('full'),
      workaround,
    ],
    rootCauseQuestions: [
      'Was import path incorrect?',
      'Did dependency add unexpected code?',
      'Was asset not optimized?',
    ],
    prevention: [
      'Add pre-commit hooks for TypeScript',
      'Monitor bundle size in PRs',
      'Test dependency updates in branch first',
    ],
  },
  'visual-regression': {
    id: 'visual-regression',
    title: 'Visual Regression Tests Fail',
    symptoms: ['Playwright visual tests fail', 'Screenshot diffs detected'],
    diagnostics: ['visual-diff', 'ui-source-diff', 'recent-commits'],
    humanQuestion:
      'Was the visual change intended? Approve update-visual-baselines if so, revert-last-change if it is a regression.',
    mitigations: [
      revert('widget', 'Regression: revert the problematic commit and re-run the visual tests'),
      {
        option: 'update-visual-baselines',
        risk: 'destructive',
        action: { kind: 'workflow', workflowType: 'visualBaselinesUpdate' },
        description:
          'Intended change: run test:visual:update, commit the new baselines ("Update visual baselines for <feature>"), re-run test:visual:web',
      },
      disableFeature,
      workaround,
    ],
    rootCauseQuestions: [
      'Was styling changed intentionally?',
      'Did dependency update affect rendering?',
      'Was browser version updated?',
    ],
    prevention: ['Review visual diffs in PRs', 'Document intentional changes', 'Pin Playwright version'],
  },
  'ci-pipeline-hangs': {
    id: 'ci-pipeline-hangs',
    title: 'CI Pipeline Hangs',
    symptoms: ["CI jobs don't complete", 'Tests timeout', 'No error messages'],
    diagnostics: ['test-timeouts', 'recent-commits'],
    mitigations: [
      {
        option: 'disable-feature',
        risk: 'safe',
        action: { kind: 'activity', activity: 'cancelCiJob' },
        description:
          'Cancel the stuck CI job through the configured cancel command (gh run cancel <run-id>), and add timeouts to tests (e.g. timeout: 30000)',
      },
      revert(
        'widget',
        'Revert the change that introduced the hang (hung commands are killed by their timeouts)',
      ),
      workaround,
    ],
    rootCauseQuestions: [
      'Did test wait for element that never appears?',
      'Is there an infinite loop in test code?',
      'Did environment issue cause slowdown?',
    ],
    prevention: [
      'Add timeouts to all tests',
      'Use explicit waits instead of arbitrary delays',
      'Monitor CI job durations',
    ],
  },
  unknown: {
    id: 'unknown',
    title: 'Unclassified incident',
    symptoms: [],
    diagnostics: ['recent-commits', 'dependency-listing'],
    mitigations: [
      revert('full', 'Revert the last change and redeploy'),
      disableFeature,
      knownGood('full'),
      workaround,
    ],
    rootCauseQuestions: ['Why did it fail? (5 Whys)'],
    prevention: ['Update runbook with learned procedures', 'Add regression test', 'Improve monitoring'],
  },
};

export const scenarioSpec = (scenario: Scenario): ScenarioSpec => SCENARIO_CATALOGUE[scenario];

/**
 * An unclassified incident's options with the least destructive procedure that still restarts
 * the affected service: the MCP procedure (stop that one service, revert the whole last commit or
 * check out the tag, install, start, contract test) instead of the full rollback's clean install,
 * build and restart of everything. Incidents started before this list keep the catalogue's.
 */
export const UNKNOWN_LEAST_DESTRUCTIVE: MitigationStep[] = [
  {
    ...revert(
      'mcp',
      "Revert the last commit (all of it), install, restart the incident's service, run the contract tests",
    ),
    revertWholeCommit: true,
  },
  disableFeature,
  {
    ...knownGood('mcp'),
    description:
      "Deploy the last known-good version: stop the incident's service, check out the stable tag, install, restart it",
  },
  workaround,
];
