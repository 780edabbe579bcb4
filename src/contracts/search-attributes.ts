import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes that let the Web UI and `incident list` filter incidents. The dev
 * server registers them at start (`--search-attribute Name=Type`); a production cluster needs
 * `temporal operator search-attribute create` once (README, "Production").
 */
export const SA = {
  incidentId: defineSearchAttributeKey('IncidentId', SearchAttributeType.KEYWORD),
  severity: defineSearchAttributeKey('IncidentSeverity', SearchAttributeType.KEYWORD),
  stage: defineSearchAttributeKey('IncidentStage', SearchAttributeType.KEYWORD),
  services: defineSearchAttributeKey('IncidentServices', SearchAttributeType.KEYWORD_LIST),
  scenario: defineSearchAttributeKey('IncidentScenario', SearchAttributeType.KEYWORD),
  /**
   * When the approval the incident waits for was asked; absent while none waits. The worker's
   * approval gauges read it from the same Visibility listing as the stage counts, so they need no
   * `status` query (a query per waiting incident took the workflow thread from new incidents), and
   * an operator can list approvals waiting longer than X in the Web UI.
   */
  approvalSince: defineSearchAttributeKey('IncidentApprovalSince', SearchAttributeType.DATETIME),
} as const;

/** Name → type string as `temporal server start-dev --search-attribute` and the CLI expect them. */
export const SEARCH_ATTRIBUTE_DECLARATIONS: Record<string, 'Keyword' | 'KeywordList' | 'Datetime'> = {
  IncidentId: 'Keyword',
  IncidentSeverity: 'Keyword',
  IncidentStage: 'Keyword',
  IncidentServices: 'KeywordList',
  IncidentScenario: 'Keyword',
  IncidentApprovalSince: 'Datetime',
};
