/**
 * Validation of every ref, SHA, path and name that reaches a git or runbook command. Commands run
 * with argument arrays (never a shell), but git itself treats a leading `-` as an option
 * (`--upload-pack=...`) and `..` as a range or a way out of the repository, so anything that is
 * not plainly a name is refused before a command runs. Pure: used by activities and workflows.
 */

/** A refusal of hostile or malformed input; never retried. */
export class UnsafeInputError extends Error {
  constructor(
    readonly field: string,
    readonly value: string,
    reason: string,
  ) {
    super(`refused ${field} ${JSON.stringify(value)}: ${reason}`);
    this.name = 'UnsafeInputError';
  }
}

const SHELL_META = /[\s;&|`$<>(){}[\]*?!'"\\#~^:%,=]/;
const hasControl = (value: string) =>
  [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
const FULL_SHA = /^[0-9a-f]{40}$/;
const REF_FORBIDDEN = /[\s~^:?*[\\]/;

/**
 * Why git would refuse `ref` as a ref name, or undefined when it accepts it: the rules of
 * `git check-ref-format --allow-onelevel` (one-level names such as tags are fine). No `..`, no
 * `@{`, not `@`, no control character, space, `~ ^ : ? * [ \`, no component starting with `.` or
 * ending with `.lock`, no empty component (`//`, leading or trailing `/`), no trailing `.`.
 */
export function refFormatProblem(ref: string): string | undefined {
  if (ref.length === 0) return 'is empty';
  if (hasControl(ref)) return 'contains a control character';
  if (REF_FORBIDDEN.test(ref)) return 'contains whitespace or one of ~ ^ : ? * [ \\';
  if (ref.includes('..')) return 'contains ".."';
  if (ref.includes('@{')) return 'contains "@{"';
  if (ref === '@') return 'is "@"';
  if (ref.endsWith('.')) return 'ends with "."';
  const parts = ref.split('/');
  if (parts.some((part) => part.length === 0))
    return 'has an empty component ("//" or a leading or trailing "/")';
  if (parts.some((part) => part.startsWith('.'))) return 'has a component starting with "."';
  if (parts.some((part) => part.endsWith('.lock'))) return 'has a component ending with ".lock"';
  return undefined;
}
const REF_CHARS = /^[A-Za-z0-9][A-Za-z0-9._/@+-]*$/;

function common(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new UnsafeInputError(field, String(value), 'empty');
  if (value.length > max) throw new UnsafeInputError(field, value, `longer than ${max} characters`);
  if (value.startsWith('-'))
    throw new UnsafeInputError(field, value, 'starts with "-" (looks like an option)');
  if (SHELL_META.test(value) || hasControl(value))
    throw new UnsafeInputError(field, value, 'contains whitespace or shell metacharacters');
  return value;
}

/**
 * Why a branch, tag or SHA typed by a person is refused, or undefined: git's ref rules
 * ({@link refFormatProblem}) plus what {@link assertRefName} demands downstream (no leading `-`, no
 * component starting with `-`, only A-Z a-z 0-9 . _ / @ + -), so input checked with it before a
 * workflow starts is not refused by an activity afterwards.
 */
export function refNameProblem(ref: string, max = 200): string | undefined {
  if (ref.length > max) return `is longer than ${max} characters`;
  if (ref.startsWith('-')) return 'starts with "-" (looks like an option)';
  const problem = refFormatProblem(ref);
  if (problem) return problem;
  if (!REF_CHARS.test(ref)) return 'has characters outside A-Z a-z 0-9 . _ / @ + -';
  if (ref.split('/').some((part) => part.startsWith('-'))) return 'has a component starting with "-"';
  return undefined;
}

/** A full 40-hex commit SHA, the only thing destructive git steps accept. */
export function assertFullSha(value: unknown, field = 'sha'): string {
  const sha = common(field, value, 40);
  if (!FULL_SHA.test(sha)) throw new UnsafeInputError(field, sha, 'not a full 40-hex lowercase SHA');
  return sha;
}

/**
 * A branch, tag or SHA: git's check-ref-format rules plus no shell metacharacters, no `..`
 * (ranges, escapes), no `@{` (reflog syntax), no trailing `.lock`, `/` or `.`.
 */
export function assertRefName(value: unknown, field = 'ref'): string {
  const ref = common(field, value, 200);
  if (!REF_CHARS.test(ref))
    throw new UnsafeInputError(field, ref, 'has characters outside A-Z a-z 0-9 . _ / @ + -');
  const problem = refFormatProblem(ref);
  if (problem) throw new UnsafeInputError(field, ref, problem);
  if (ref.includes('..')) throw new UnsafeInputError(field, ref, 'contains ".."');
  if (ref.includes('@{') || ref === '@') throw new UnsafeInputError(field, ref, 'uses reflog syntax');
  if (ref.includes('//') || ref.endsWith('/') || ref.endsWith('.') || ref.endsWith('.lock'))
    throw new UnsafeInputError(field, ref, 'is not a valid ref name');
  if (ref.split('/').some((part) => part.startsWith('.') || part.startsWith('-')))
    throw new UnsafeInputError(field, ref, 'has a component starting with "." or "-"');
  return ref;
}

/** A relative path inside the repository (`platforms/mcp/`): no absolute paths, no `..` escape. */
export function assertRepoPath(value: unknown, field = 'path'): string {
  const path = common(field, value, 300);
  if (path.startsWith('/')) throw new UnsafeInputError(field, path, 'is absolute');
  if (!/^[A-Za-z0-9._/@+-]+$/.test(path))
    throw new UnsafeInputError(field, path, 'has characters outside A-Z a-z 0-9 . _ / @ + -');
  if (path.split('/').some((part) => part === '..' || part.startsWith('-')))
    throw new UnsafeInputError(field, path, 'escapes the repository or has an option-like component');
  return path;
}

/** A git tag pattern for `git tag --list` (`v*`): ref characters plus `*`. */
export function assertTagPattern(value: unknown, field = 'knownGoodTagPattern'): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._/*-]{0,99}$/.test(value) || value.includes('..'))
    throw new UnsafeInputError(
      field,
      String(value),
      'must be ref characters and "*", starting with a letter or digit',
    );
  return value;
}

/** A CI run ID or similar opaque token substituted into a configured command. */
export function assertToken(value: unknown, field = 'runId'): string {
  const token = common(field, value, 100);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(token))
    throw new UnsafeInputError(field, token, 'must be letters, digits, ".", "_" or "-"');
  return token;
}

/** The fix branch the guide creates: `fix/incident-<ID>`. */
export const fixBranchName = (incidentId: string): string =>
  assertRefName(`fix/incident-${incidentId}`, 'branch');

/** Where HEAD is saved before a destructive step: `refs/incident-backup/<ID>`. */
export const backupRefName = (incidentId: string): string =>
  assertRefName(`refs/incident-backup/${incidentId}`, 'backupRef');
