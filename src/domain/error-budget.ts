/**
 * Error budget arithmetic for the guide's "check error budget": an availability SLO over a window
 * allows (1 - SLO) x window of downtime; an incident consumes its downtime from that allowance.
 */
export interface ErrorBudgetInput {
  /** Availability objective as a fraction, 0.995 for 99.5 %. */
  availability: number;
  windowMs: number;
  downtimeMs: number;
}

export interface ErrorBudgetResult {
  budgetMs: number;
  downtimeMs: number;
  /** Share of the window's budget this incident used, in percent, two decimals. */
  consumedPercent: number;
}

export function errorBudgetConsumed(input: ErrorBudgetInput): ErrorBudgetResult {
  const budgetMs = Math.round(Math.max(0, (1 - input.availability) * input.windowMs));
  const downtimeMs = Math.max(0, input.downtimeMs);
  const consumed = budgetMs === 0 ? (downtimeMs > 0 ? 100 : 0) : (downtimeMs / budgetMs) * 100;
  return { budgetMs, downtimeMs, consumedPercent: Math.round(consumed * 100) / 100 };
}
