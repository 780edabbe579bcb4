import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SAFE_NAME } from '../domain/incident';
import type { ActivityDeps } from './deps';

export interface IncidentNoteInput {
  incidentId: string;
  severity: string;
  detectedAt: string;
  summary: string;
}

/** `incidents/<ID>/`, refusing IDs that could climb out of the incidents folder. */
export function incidentDir(deps: ActivityDeps, incidentId: string): string {
  if (!SAFE_NAME.test(incidentId)) throw new Error(`unsafe incident ID: ${JSON.stringify(incidentId)}`);
  return join(deps.incidentsDir, incidentId);
}

export function createRecordActivities(deps: ActivityDeps) {
  return {
    /**
     * Writes the guide's incident.txt (ID, severity, detection time). Safe to run twice: the file
     * is rewritten whole from the same input, so a retry leaves the same bytes.
     */
    async writeIncidentNote(input: IncidentNoteInput): Promise<string> {
      const dir = incidentDir(deps, input.incidentId);
      await mkdir(dir, { recursive: true });
      const path = join(dir, 'incident.txt');
      const text =
        `${input.incidentId}\nSeverity: ${input.severity}\nDetected: ${input.detectedAt}\n` +
        `Summary: ${input.summary}\n`;
      await writeFile(path, text, 'utf8');
      return path;
    },
  };
}
