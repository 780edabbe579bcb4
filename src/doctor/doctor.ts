/**
 * `incident doctor`: inspect a repository, write the engine config it needs, prove it in a
 * scratch worktree, and say which rollback procedures could run. Every line is printed as it is
 * learnt; the result says whether all three procedures could run.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  describeResolved,
  PackageManagerMissingError,
  resolvePackageManager,
} from '../activities/target/package-manager';
import { describeSpec } from '../domain/package-manager';
import { configFromInspection, type DoctorConfigOptions, renderConfig } from './config';
import { type Inspection, inspectRepository } from './inspect';
import { type ProofResult, type ProofStep, proveConfig } from './prove';

export interface DoctorOptions {
  repo: string;
  /** Where to write the config (YAML for .yaml/.yml, JSON otherwise); printed when absent. */
  write?: string;
  /** What the proof checks out; the newest known-good tag, else HEAD. */
  ref?: string;
  prove?: boolean;
  /** The service key, port and policy section to write (see DoctorConfigOptions). */
  configOptions?: DoctorConfigOptions;
  print?: (line: string) => void;
}

export interface DoctorResult {
  ok: boolean;
  inspection: Inspection;
  packageManager?: string;
  config: { target: Record<string, unknown>; policy?: unknown };
  written?: string;
  proof?: ProofResult;
  /** Why not every rollback procedure could run, one entry per reason. */
  problems: string[];
}

const row = (label: string, value: string) => `  ${label.padEnd(16)} ${value}`;
const argvText = (argv: readonly string[]) => argv.join(' ');

function printInspection(inspection: Inspection, print: (line: string) => void): void {
  const { runbook, server } = inspection;
  const found = (label: string, item: { argv: string[]; from: string } | undefined) =>
    print(row(label, item ? `${argvText(item.argv)}    (${item.from})` : 'NOT FOUND'));
  print(
    row(
      'workspaces',
      inspection.workspaces.length
        ? inspection.workspaces.map((w) => `${w.name} (${w.dir})`).join(', ')
        : 'none',
    ),
  );
  found('install', runbook.install);
  found('build', runbook.build);
  found('widget build', runbook.buildWidgets);
  found('test', runbook.test);
  found('contract test', runbook.contractTest);
  found('visual test', runbook.visualTest);
  print(
    row(
      'mcp server',
      server
        ? `${argvText(server.start)} → ${server.entry ?? '?'}; port from ${server.portEnv ?? '?'} (default ${server.defaultPort ?? '?'}); health ${server.healthPath ?? '?'}`
        : 'NOT FOUND',
    ),
  );
  print(
    row(
      'tags',
      inspection.tags.length
        ? `${inspection.tags.join(', ')}; newest known-good ${inspection.newestKnownGood}`
        : 'none',
    ),
  );
  for (const warning of inspection.warnings) print(row('warning', warning));
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorResult> {
  const print = options.print ?? (() => undefined);
  if (!existsSync(options.repo)) throw new Error(`no repository at ${resolve(options.repo)}`);
  const inspection = await inspectRepository(options.repo);
  const problems = [...inspection.missing];
  print(`incident doctor: ${inspection.repo}`);
  let packageManager: string | undefined;
  try {
    packageManager = describeResolved(
      await resolvePackageManager(inspection.repo, { spec: inspection.packageManager }),
    );
  } catch (error) {
    if (!(error instanceof PackageManagerMissingError)) throw error;
    problems.push(error.message);
  }
  print(
    row('package manager', packageManager ?? `${describeSpec(inspection.packageManager)}: NOT INSTALLED`),
  );
  printInspection(inspection, print);

  let widgetsDist = inspection.widgetsDistCandidates[0] ?? 'dist/widgets';
  let proof: ProofResult | undefined;
  const canProve =
    options.prove !== false && !inspection.missing.some((m) => m.startsWith('a git repository'));
  if (canProve) {
    const ref = options.ref ?? inspection.newestKnownGood ?? 'HEAD';
    print(`proof in a scratch worktree of ${ref}:`);
    const { raw } = configFromInspection(inspection, widgetsDist, options.configOptions);
    proof = await proveConfig({
      repo: inspection.repo,
      raw,
      ref,
      widgetsDistCandidates: inspection.widgetsDistCandidates,
      onStep: (step: ProofStep) =>
        print(
          `  ${step.ok ? 'ok  ' : 'FAIL'} ${step.id.padEnd(14)} ${step.detail.split('\n').join('\n       ')}`,
        ),
    });
    widgetsDist = proof.widgetsDist ?? widgetsDist;
    const verdicts = Object.entries(proof.procedures).map(
      ([name, v]) => `${name} ${v.ok ? 'can run' : `CANNOT run (${v.failed.join(', ')} failed)`}`,
    );
    print(row('rollbacks', verdicts.join('; ')));
    for (const [name, v] of Object.entries(proof.procedures))
      if (!v.ok) problems.push(`the ${name} rollback cannot run: ${v.failed.join(', ')} failed in the proof`);
  }
  const { raw } = configFromInspection(inspection, widgetsDist, options.configOptions);
  let written: string | undefined;
  if (options.write) {
    written = resolve(options.write);
    await writeFile(written, renderConfig(raw, written));
    print(
      `config written to ${written} (validated by the engine's config schema)${problems.length ? ', but see the problems above' : ''}`,
    );
  } else print(`config (write it with --write incident.config.yaml):\n${renderConfig(raw, 'config.yaml')}`);
  for (const problem of problems) print(`  missing: ${problem}`);
  return {
    ok: problems.length === 0 && proof !== undefined,
    inspection,
    packageManager,
    config: raw,
    written,
    proof,
    problems,
  };
}
