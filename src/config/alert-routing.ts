import { z } from 'zod';
import {
  IMMEDIATE_ESCALATION_LABELS,
  SAFE_NAME,
  SCENARIOS,
  type Scenario,
  SEVERITIES,
  type Severity,
} from '../contracts/incident';

/**
 * Rules that turn an alert's labels into the incident's service, severity and scenario.
 *
 * For each field the first source that has a value wins: the first matching rule, then the
 * alert's own labels (`service`, `severity` through `severityMap`, `scenario`), then `defaults`.
 * Matchers follow Alertmanager: `match` compares label values exactly, `matchRe` with an anchored
 * regular expression; every matcher of a rule must hold.
 */
const labelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be a Prometheus label name');
const regex = z.string().refine(
  (source) => {
    try {
      new RegExp(`^(?:${source})$`);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a valid regular expression' },
);
const safeName = z.string().regex(SAFE_NAME, 'must be 1-128 of A-Z a-z 0-9 . _ : @ -');

export const alertRuleSchema = z
  .object({
    /** Shown in logs; optional. */
    name: z.string().max(128).optional(),
    match: z.record(labelName, z.string()).default({}),
    matchRe: z.record(labelName, regex).default({}),
    services: z.array(safeName).min(1).max(32).optional(),
    severity: z.enum(SEVERITIES).optional(),
    scenario: z.enum(SCENARIOS).optional(),
    /** Incident labels to add, e.g. security or data-loss (which escalate at once). */
    labels: z.array(safeName).max(32).default([]),
  })
  .strict();

const DEFAULT_SEVERITY_MAP: Record<string, Severity> = {
  critical: 'SEV-1',
  page: 'SEV-1',
  high: 'SEV-2',
  error: 'SEV-2',
  major: 'SEV-2',
  warning: 'SEV-3',
  minor: 'SEV-3',
  info: 'SEV-4',
  low: 'SEV-4',
};

export const alertRoutingSchema = z
  .object({
    rules: z.array(alertRuleSchema).max(500).default([]),
    /** Label holding the service name(s); comma-separated values give several services. */
    serviceLabel: labelName.default('service'),
    severityLabel: labelName.default('severity'),
    scenarioLabel: labelName.default('scenario'),
    /** Alert severity label value (lower-cased) → guide severity; SEV-N values are taken as they are. */
    severityMap: z.record(z.string().min(1), z.enum(SEVERITIES)).default(DEFAULT_SEVERITY_MAP),
    defaults: z
      .object({
        services: z.array(safeName).min(1).max(32).default(['mcp-server']),
        severity: z.enum(SEVERITIES).default('SEV-3'),
        scenario: z.enum(SCENARIOS).default('unknown'),
      })
      .strict()
      .default({ services: ['mcp-server'], severity: 'SEV-3', scenario: 'unknown' }),
  })
  .strict();

export type AlertRouting = z.infer<typeof alertRoutingSchema>;
export type AlertRule = z.infer<typeof alertRuleSchema>;

export interface AlertRoute {
  services: string[];
  severity: Severity;
  scenario: Scenario;
  labels: string[];
  /** Name (or index) of the rule that matched, if any. */
  rule?: string;
}

const ruleMatches = (rule: AlertRule, labels: Record<string, string>): boolean =>
  Object.entries(rule.match).every(([name, value]) => labels[name] === value) &&
  Object.entries(rule.matchRe).every(([name, source]) =>
    new RegExp(`^(?:${source})$`).test(labels[name] ?? ''),
  );

const isScenario = (value: string | undefined): value is Scenario =>
  value !== undefined && (SCENARIOS as readonly string[]).includes(value);

function severityFromLabel(routing: AlertRouting, value: string | undefined): Severity | undefined {
  if (!value) return undefined;
  const key = value.trim().toLowerCase();
  const direct = SEVERITIES.find((sev) => sev.toLowerCase() === key);
  return direct ?? routing.severityMap[key];
}

/**
 * Entries of the service label that are not service names ("$(touch /tmp/x)", "../etc"). The API
 * refuses an alert carrying any (400 naming the field) rather than dropping them and quietly
 * routing to the default services; empty entries of a comma list (`a,,b`) are not counted.
 */
export function unsafeServiceNames(routing: AlertRouting, labels: Record<string, string>): string[] {
  return (labels[routing.serviceLabel] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '' && !SAFE_NAME.test(name));
}

function servicesFromLabel(value: string | undefined): string[] | undefined {
  const names = (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => SAFE_NAME.test(name))
    .slice(0, 32);
  return names.length > 0 ? names : undefined;
}

/** Labels that escalate at once, set as `security="true"` or as the value of any label. */
function escalationLabels(labels: Record<string, string>): string[] {
  const values = new Set(Object.values(labels).map((v) => v.toLowerCase()));
  return IMMEDIATE_ESCALATION_LABELS.filter(
    (name) =>
      values.has(name) || (labels[name] !== undefined && !['false', '0', 'no', ''].includes(labels[name])),
  );
}

/** Maps an alert's labels to the incident fields, as described on {@link alertRoutingSchema}. */
export function routeAlert(routing: AlertRouting, labels: Record<string, string>): AlertRoute {
  const index = routing.rules.findIndex((rule) => ruleMatches(rule, labels));
  const rule = index >= 0 ? routing.rules[index] : undefined;
  const scenarioLabel = labels[routing.scenarioLabel];
  return {
    services: rule?.services ?? servicesFromLabel(labels[routing.serviceLabel]) ?? routing.defaults.services,
    severity:
      rule?.severity ??
      severityFromLabel(routing, labels[routing.severityLabel]) ??
      routing.defaults.severity,
    scenario: rule?.scenario ?? (isScenario(scenarioLabel) ? scenarioLabel : routing.defaults.scenario),
    labels: [...new Set([...(rule?.labels ?? []), ...escalationLabels(labels)])],
    rule: rule ? (rule.name ?? `rules[${index}]`) : undefined,
  };
}
