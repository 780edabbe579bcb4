import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SAFE_NAME } from '../../contracts/incident';
import type { ActivityDeps } from '../deps';

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

export interface ReportFileInput {
  incidentId: string;
  markdown: string;
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
    /**
     * Writes incidents/<ID>/report.md, the post-incident report rendered by the workflow. Written
     * to a temp file and renamed, so a reader never sees half a report; a retry writes the same bytes.
     */
    async writeReport(input: ReportFileInput): Promise<string> {
      const dir = incidentDir(deps, input.incidentId);
      await mkdir(dir, { recursive: true });
      const path = join(dir, 'report.md');
      const temp = `${path}.tmp`;
      await writeFile(temp, input.markdown, 'utf8');
      await rename(temp, path);
      return path;
    },
  };
}
