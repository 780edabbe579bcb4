import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  detectPackageManager,
  parsePackageManagerField,
  translateGuideArgv,
  UnsupportedPackageManagerError,
  versionMatches,
} from '../../src/domain/package-manager';

describe('package manager detection', () => {
  it('takes the packageManager field first, without its integrity hash', () => {
    const spec = detectPackageManager({
      packageJson: { packageManager: 'pnpm@9.1.0+sha512.abcdef' },
      files: ['package.json', 'pnpm-lock.yaml'],
    });
    assert.deepEqual(spec, {
      name: 'pnpm',
      pinnedVersion: '9.1.0',
      source: 'packageManager',
      lockfile: 'pnpm-lock.yaml',
      warnings: [],
    });
  });

  it('falls back to the lockfile, then to the guide default pnpm', () => {
    assert.equal(detectPackageManager({ files: ['package-lock.json'] }).name, 'npm');
    assert.equal(detectPackageManager({ files: ['yarn.lock'] }).name, 'yarn');
    assert.deepEqual(detectPackageManager({ packageJson: {}, files: [] }), {
      name: 'pnpm',
      source: 'default',
      warnings: [],
    });
  });

  it('warns when the field and the lockfile disagree, and refuses an unknown manager', () => {
    const spec = detectPackageManager({
      packageJson: { packageManager: 'npm@10.0.0' },
      files: ['pnpm-lock.yaml'],
    });
    assert.equal(spec.name, 'npm');
    assert.match(spec.warnings.join(), /pins npm but the repository also has pnpm-lock\.yaml/);
    assert.throws(
      () => detectPackageManager({ packageJson: { packageManager: 'bun@1.1.0' }, files: [] }),
      UnsupportedPackageManagerError,
    );
    assert.equal(parsePackageManagerField(42), undefined);
  });

  it('matches a pin exactly or by its prefix, never across versions', () => {
    assert.ok(versionMatches('9.1.0', '9.1.0'));
    assert.ok(versionMatches('9.1.4', '9.1'));
    assert.ok(!versionMatches('10.34.9', '9.1.0'));
    assert.ok(!versionMatches('9.10.0', '9.1'));
  });

  it("translates the guide's pnpm commands for npm and yarn repositories", () => {
    const npm = detectPackageManager({ files: ['package-lock.json'] });
    assert.deepEqual(translateGuideArgv(['pnpm', 'install'], npm), ['npm', 'ci']);
    assert.deepEqual(translateGuideArgv(['pnpm', 'build:widgets'], npm), ['npm', 'run', 'build:widgets']);
    assert.deepEqual(translateGuideArgv(['pnpm', 'ls', '--depth=0'], npm), ['npm', 'ls', '--depth=0']);
    assert.deepEqual(translateGuideArgv(['pnpm', 'list', '@openai/apps-sdk-ui'], npm), [
      'npm',
      'ls',
      '@openai/apps-sdk-ui',
    ]);
    const yarn = detectPackageManager({ files: ['yarn.lock'] });
    assert.deepEqual(translateGuideArgv(['pnpm', 'test'], yarn), ['yarn', 'test']);
    const pnpm = detectPackageManager({ files: ['pnpm-lock.yaml'] });
    assert.deepEqual(translateGuideArgv(['pnpm', 'build'], pnpm), ['pnpm', 'build']);
  });
});
