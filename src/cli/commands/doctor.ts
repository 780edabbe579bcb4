import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_SERVICE_KEY } from '../../doctor/config';
import { example } from '../action';

export class DoctorFoundProblemsError extends Error {
  constructor(problems: string[]) {
    super(`not every rollback procedure could run: ${problems.join('; ')}`);
    this.name = 'DoctorFoundProblemsError';
  }
}

const parsePort = (value: string): number => {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new InvalidArgumentError('must be a TCP port between 1 and 65535');
  return port;
};

/** The `policy` section of a config file (YAML or JSON), copied into the written config as it is. */
async function readPolicy(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  const raw = (file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as unknown;
  const policy = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).policy : undefined;
  if (policy === undefined) throw new Error(`--policy-file ${file} has no policy section`);
  return policy;
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
    .option('--service <key>', 'the key the server is written under in target.services', DEFAULT_SERVICE_KEY)
    .option(
      '--port <n>',
      "the port the server gets (its port variable is set to it); default: the port the server's source names",
      parsePort,
    )
    .option('--policy-file <file>', "copy that config file's policy section into the written config")
    .option('--no-prove', 'inspect and write only')
    .option('--json', 'print { ok, inspection, packageManager, config, written, proof, problems }');
  example(
    command,
    'incident doctor --repo ../my-service --write incident.config.yaml',
    'incident doctor --repo ../my-service --port 9100 --policy-file policy.yaml --write incident.config.yaml',
  );
  command.action(
    async (options: {
      repo: string;
      write?: string;
      ref?: string;
      service: string;
      port?: number;
      policyFile?: string;
      prove: boolean;
      json?: boolean;
    }) => {
      // Loaded on use: the doctor's checks bring in execa and the activity modules.
      const { runDoctor } = await import('../../doctor/doctor');
      const result = await runDoctor({
        repo: options.repo,
        write: options.write,
        ref: options.ref,
        prove: options.prove,
        configOptions: {
          service: options.service,
          port: options.port,
          ...(options.policyFile ? { policy: await readPolicy(options.policyFile) } : {}),
        },
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
