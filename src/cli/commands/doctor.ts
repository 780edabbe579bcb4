import type { Command } from 'commander';
import { runDoctor } from '../../doctor/doctor';
import { example } from '../action';

export class DoctorFoundProblemsError extends Error {
  constructor(problems: string[]) {
    super(`not every rollback procedure could run: ${problems.join('; ')}`);
    this.name = 'DoctorFoundProblemsError';
  }
}

/**
 * `incident doctor`: inspects a target repository, writes an engine config for it and proves it
 * in a scratch worktree. Needs no Temporal server and no config. Exit 0 only when every rollback
 * procedure could run.
 */
export function registerDoctor(program: Command): void {
  const command = program
    .command('doctor')
    .description('inspect a repository, write an engine config for it and prove it in a scratch worktree')
    .option('--repo <path>', 'the target repository', '.')
    .option('--write <file>', 'write the config there (YAML for .yaml/.yml, JSON otherwise)')
    .option('--ref <ref>', 'what the proof checks out (default: the newest known-good tag, else HEAD)')
    .option('--no-prove', 'inspect and write only')
    .option('--json', 'print { ok, inspection, packageManager, config, written, proof, problems }');
  example(command, 'incident doctor --repo ../my-service --write incident.config.yaml');
  command.action(
    async (options: { repo: string; write?: string; ref?: string; prove: boolean; json?: boolean }) => {
      const result = await runDoctor({
        repo: options.repo,
        write: options.write,
        ref: options.ref,
        prove: options.prove,
        print: options.json ? undefined : (line) => console.log(line),
      });
      if (options.json) console.log(JSON.stringify(result, null, 2));
      if (!result.ok)
        throw new DoctorFoundProblemsError(
          result.problems.length ? result.problems : ['the proof did not run'],
        );
    },
  );
}
