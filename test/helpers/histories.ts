import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { PROJECT_ROOT } from '../../src/temporal/binaries';

export const HISTORIES_DIR = join(PROJECT_ROOT, 'test', 'fixtures', 'histories');

/**
 * Saves a finished workflow's history as a replay fixture, but only when RECORD_HISTORIES=1
 * (`npm run histories:record`). Integration tests call it at the end of each main path, so the
 * fixtures come from the same runs the tests check, and test/replay/ replays them on every
 * `npm test`: a workflow change that would break in-flight incidents fails CI.
 */
export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  await mkdir(HISTORIES_DIR, { recursive: true });
  const json = JSON.parse(historyToJSON(history)) as unknown;
  await writeFile(
    join(HISTORIES_DIR, `${name}.json`),
    `${JSON.stringify({ workflowId: handle.workflowId, history: json }, null, 1)}\n`,
  );
}
