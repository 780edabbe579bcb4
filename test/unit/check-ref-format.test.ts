import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { assertRefName, refFormatProblem, refNameProblem } from '../../src/domain/git-safety';

/** Ref names and whether git accepts them; every verdict is confirmed against git itself. */
const CASES: [ref: string, valid: boolean][] = [
  ['v1.0.0', true],
  ['main', true],
  ['release/2026-11', true],
  ['refs/heads/fix/incident-INCIDENT-1', true],
  ['HEAD', true],
  ['3f2a9c1', true],
  ['a'.repeat(40), true],
  ['v1.0.0+build.7', true],
  ['feature/-dash', true],
  ['v1.0.0.lock', false],
  ['tags/v1.lock/x', false],
  ['a..b', false],
  ['../../etc/passwd', false],
  ['.hidden', false],
  ['refs/.hidden/x', false],
  ['main@{1}', false],
  ['@', false],
  ['a@b', true],
  ['with space', false],
  ['tab\there', false],
  ['nul\u0001here', false],
  ['del\u007fhere', false],
  ['tilde~1', false],
  ['caret^', false],
  ['colon:x', false],
  ['question?', false],
  ['star*', false],
  ['bracket[x', false],
  ['back\\slash', false],
  ['trailing/', false],
  ['/leading', false],
  ['double//slash', false],
  ['trailing.', false],
  ['', false],
];

const gitAccepts = (ref: string) =>
  new Promise<boolean>((resolve) =>
    execFile('git', ['check-ref-format', '--allow-onelevel', ref], (error) => resolve(!error)),
  );

describe("git's ref-name rules as a pure function", () => {
  it(`agrees with git check-ref-format on ${CASES.length} names`, async () => {
    const disagreements: string[] = [];
    for (const [ref, expected] of CASES) {
      const git = await gitAccepts(ref);
      const ours = refFormatProblem(ref) === undefined;
      if (git !== expected)
        disagreements.push(`${JSON.stringify(ref)}: git says ${git}, table says ${expected}`);
      if (ours !== git)
        disagreements.push(`${JSON.stringify(ref)}: git says ${git}, refFormatProblem says ${ours}`);
    }
    assert.deepEqual(disagreements, []);
  });

  it('says what is wrong with a refused name', () => {
    assert.match(refFormatProblem('v1.0.0.lock')!, /\.lock/);
    assert.match(refFormatProblem('a..b')!, /\.\./);
    assert.match(refFormatProblem('x@{1}')!, /@\{/);
  });

  it('refuses for people what git allows but the rollback activities would refuse later', async () => {
    for (const ref of ['$(reboot)', 'a/-b', '-x', 'é', 'x!y']) {
      assert.ok(refNameProblem(ref), `${ref} refused`);
      assert.throws(() => assertRefName(ref), `${ref} refused by the activities too`);
    }
    assert.equal(await gitAccepts('$(reboot)'), true, 'git itself would take it');
    for (const ref of ['v1.0.0', 'release/2026-11', 'a'.repeat(40), 'HEAD']) {
      assert.equal(refNameProblem(ref), undefined, ref);
      assert.equal(assertRefName(ref), ref);
    }
  });
});
