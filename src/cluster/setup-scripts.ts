import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../temporal/binaries';

/**
 * The native run executes the very scripts docker-compose.yml mounts into temporalio/admin-tools
 * (deploy/temporal/), with environment variables pointing at the native binaries, so the schema
 * steps and the namespace/search-attribute list cannot drift between the two ways of running.
 */
export const DEPLOY_DIR = join(PROJECT_ROOT, 'deploy', 'temporal');
export const DYNAMIC_CONFIG_FILE = join(DEPLOY_DIR, 'dynamicconfig', 'production.yaml');

/** Runs one of the deploy scripts with `sh` (argv, no shell string); rejects with its output. */
export function runDeployScript(
  script: 'setup-schema.sh' | 'register.sh',
  env: Record<string, string>,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [join(DEPLOY_DIR, script)], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(output);
      else {
        const tail = output.trimEnd().split('\n').slice(-12).join('\n');
        reject(new Error(`deploy/temporal/${script} exited with code ${code}:\n${tail}`));
      }
    });
  });
}
