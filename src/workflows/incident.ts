/** The incident lifecycle workflow; its stages live in ./incident/. */
export { incidentWorkflow } from './incident/workflow';
