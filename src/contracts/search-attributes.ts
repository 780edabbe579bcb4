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
} as const;

/** Name → type string as `temporal server start-dev --search-attribute` and the CLI expect them. */
export const SEARCH_ATTRIBUTE_DECLARATIONS: Record<string, 'Keyword' | 'KeywordList'> = {
  IncidentId: 'Keyword',
  IncidentSeverity: 'Keyword',
  IncidentStage: 'Keyword',
  IncidentServices: 'KeywordList',
  IncidentScenario: 'Keyword',
};
