/**
 * Backup refs must not grow without bound. Git keeps no creation time for a ref (the reflog is
 * off for refs outside refs/heads), so the engine keeps one in the git directory,
 * `.git/incident-engine/backup-refs.json` (ref → ISO time), never in the work tree. A ref it
 * has no time for (made by hand or by an older engine) counts from when it is first seen, so
 * nothing is deleted earlier than the configured age.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { git } from './git-runner';
import { engineStateDir } from './git-state';

const BACKUP_PREFIX = 'refs/incident-backup/';
const DAY_MS = 86_400_000;

type Ages = Record<string, string>;

async function agesFile(repo: string): Promise<string> {
  return join(await engineStateDir(repo), 'backup-refs.json');
}

async function readAges(path: string): Promise<Ages> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Ages) : {};
  } catch {
    return {};
  }
}

async function writeAges(path: string, ages: Ages): Promise<void> {
  await writeFile(`${path}.tmp`, `${JSON.stringify(ages, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}

/** Records when `ref` was made, unless it already has a time (a retry keeps the first). */
export async function recordBackupCreated(repo: string, ref: string, now: Date): Promise<void> {
  const path = await agesFile(repo);
  const ages = await readAges(path);
  if (ages[ref]) return;
  ages[ref] = now.toISOString();
  await writeAges(path, ages);
}

/**
 * Deletes backup refs older than `maxAgeDays`, except `keep` (the current incident's). Safe to
 * run twice: a deleted ref is simply not listed again. Returns the refs deleted.
 */
export async function pruneBackupRefs(
  repo: string,
  options: { keep: string; maxAgeDays: number; now: Date },
): Promise<string[]> {
  const refs = (await git(repo, ['for-each-ref', '--format=%(refname)', BACKUP_PREFIX])).stdout
    .split('\n')
    .filter(Boolean);
  const path = await agesFile(repo);
  const known = await readAges(path);
  const ages: Ages = {};
  const pruned: string[] = [];
  const cutoff = options.now.getTime() - options.maxAgeDays * DAY_MS;
  for (const ref of refs) {
    const created = known[ref] ?? options.now.toISOString();
    if (ref !== options.keep && Date.parse(created) < cutoff) {
      await git(repo, ['update-ref', '-d', ref]);
      pruned.push(ref);
    } else ages[ref] = created;
  }
  await writeAges(path, ages);
  return pruned;
}
