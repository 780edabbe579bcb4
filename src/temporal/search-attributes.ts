import type { Connection } from '@temporalio/client';
// A CommonJS module: from ESM, its namespaces come through the default export.
import proto from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_DECLARATIONS } from '../contracts/search-attributes';

const { IndexedValueType } = proto.temporal.api.enums.v1;

/** The declarations' type names as the server's IndexedValueType. */
export const INDEXED_VALUE_TYPES = {
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Datetime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KeywordList: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
} as const;

export type SearchAttributeCheck =
  { ok: true } | { ok: false; problems: string[] } | { ok: 'unknown'; reason: string };

/**
 * Whether the namespace has every search attribute the incident workflow upserts, with its type.
 * Why the worker asks before it polls: an upsert of an attribute the namespace lacks fails the
 * workflow task, and the incident retries that task forever, stuck in its stage. That is what a
 * cluster registered for an older version gets (this version adds `IncidentApprovalSince`), so
 * the worker refuses to start and names the fix instead. A server that will not list them (no
 * permission, no operator service, or any other failure) gives `unknown`: the worker then starts
 * as it did before the check.
 */
export async function checkSearchAttributes(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
): Promise<SearchAttributeCheck> {
  let registered: Record<string, proto.temporal.api.enums.v1.IndexedValueType>;
  try {
    registered = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes;
  } catch (error) {
    return { ok: 'unknown', reason: error instanceof Error ? error.message : String(error) };
  }
  const problems: string[] = [];
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTE_DECLARATIONS)) {
    const found = registered[name];
    if (found === undefined) problems.push(`${name} (${type}) is not registered`);
    else if (found !== INDEXED_VALUE_TYPES[type])
      problems.push(`${name} is registered with another type (${IndexedValueType[found]}), not ${type}`);
  }
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

/** The error a worker stops with, naming each attribute and the one command that fixes it. */
export function searchAttributeError(namespace: string, problems: string[]): Error {
  return new Error(
    `namespace ${namespace} lacks search attributes the incident workflow sets: ${problems.join('; ')}. ` +
      'Register them with deploy/temporal/register.sh (TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE as for the worker), ' +
      'or `temporal operator search-attribute create --name NAME --type TYPE` for each; ' +
      'without them every incident would fail its workflow tasks at the next upsert.',
  );
}

/**
 * Registers those of the declarations the namespace lacks, and waits (up to `timeoutMs`) until the
 * server lists them; returns the names it added. For the dev server: `start-dev --search-attribute`
 * registers them only when it creates its SQLite file, so a file from an older version keeps the
 * older list (seen with CLI 1.9.1) and the worker would refuse to start on it.
 */
export async function registerMissingSearchAttributes(
  connection: Connection,
  namespace: string,
  timeoutMs = 10_000,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  // Right after start the namespace may not be there yet (NOT_FOUND) or the frontend not ready.
  const list = async () => {
    for (;;) {
      try {
        return (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes;
      } catch (error) {
        const code = (error as { code?: number }).code;
        if ((code !== 5 && code !== 14) || Date.now() > deadline) throw error;
        await new Promise((done) => setTimeout(done, 250));
      }
    }
  };
  const registered = await list();
  const missing = Object.entries(SEARCH_ATTRIBUTE_DECLARATIONS).filter(([name]) => !(name in registered));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, INDEXED_VALUE_TYPES[type]])),
  });
  for (;;) {
    const now = await list();
    if (missing.every(([name]) => name in now)) return missing.map(([name]) => name);
    if (Date.now() > deadline)
      throw new Error(
        `search attributes ${missing.map(([name]) => name).join(', ')} still not listed after ${timeoutMs / 1000} s`,
      );
    await new Promise((done) => setTimeout(done, 250));
  }
}
