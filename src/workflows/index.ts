/** The workflow bundle's entry: every workflow type the worker registers. */
export { incidentWorkflow } from './incident/workflow';
export { fullRollback, mcpRollback, visualBaselinesUpdate, widgetRollback } from './rollback';
export { rollbackDrill } from './drill';
