/** The rollback procedures: child workflows of the incident, also startable on their own. */
export { fullRollback } from './full';
export { mcpRollback } from './mcp';
export { visualBaselinesUpdate } from './visual-baselines';
export { widgetRollback } from './widget';
