import type { FastifyInstance } from 'fastify';
import { InvalidRequestError } from '../../use-cases/errors';
import { parseOrThrow } from '../../use-cases/validation';
import { verifyGithubSignature } from '../auth';
import type { ApiContext } from '../context';
import { detailsFrom, type NormalizedAlert } from '../../intake/normalize';
import { deliverAlerts, prepareAlerts } from '../alert-delivery';
import { parseJsonBody } from '../json-body';
import {
  checkRunEventSchema,
  FAILED_CONCLUSIONS,
  PASSED_CONCLUSIONS,
  workflowRunEventSchema,
} from '../../intake/schemas/github';

/** Guesses the guide's scenario from a CI job's name; routing rules can override it. */
function scenarioHint(name: string, conclusion: string): string {
  if (conclusion === 'timed_out') return 'ci-pipeline-hangs';
  if (/visual|playwright|screenshot/i.test(name)) return 'visual-regression';
  if (/mcp|contract/i.test(name)) return 'mcp-server-fails-to-start';
  if (/build|widget|bundle|typecheck|tsc/i.test(name)) return 'widget-build-fails';
  return 'unknown';
}

interface CiJob {
  kind: 'workflow_run' | 'check_run';
  repo: string;
  name: string;
  identity: string;
  branch: string;
  conclusion: string;
  url?: string;
  sha?: string;
  at?: string;
}

function toAlert(job: CiJob): NormalizedAlert {
  const status = FAILED_CONCLUSIONS.includes(job.conclusion) ? 'firing' : 'resolved';
  return {
    origin: 'gh',
    // One incident per repository, job and branch: the next failure of the same job joins it.
    sourceKey: `${job.repo}:${job.kind}:${job.identity}:${job.branch}`,
    status,
    summary: `CI ${job.kind === 'workflow_run' ? 'workflow' : 'check'} "${job.name}" ${job.conclusion} on ${job.repo}@${job.branch}`,
    source: 'ci-failure',
    labels: {
      repository: job.repo,
      workflow: job.name,
      branch: job.branch,
      event: job.kind,
      conclusion: job.conclusion,
      scenario: scenarioHint(job.name, job.conclusion),
    },
    alertedAt: job.at && !Number.isNaN(Date.parse(job.at)) ? new Date(job.at).toISOString() : undefined,
    details: detailsFrom(
      Object.entries({
        repository: job.repo,
        job: job.name,
        branch: job.branch,
        sha: job.sha,
        url: job.url,
      }).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    ),
  };
}

function jobFrom(event: string, body: unknown): CiJob | { ignored: string } {
  if (event === 'workflow_run') {
    const { action, repository, workflow_run: run } = parseOrThrow(workflowRunEventSchema, body);
    if (action !== 'completed') return { ignored: `workflow_run ${action}` };
    return {
      kind: 'workflow_run',
      repo: repository.full_name,
      name: run.name ?? `workflow ${run.workflow_id ?? run.id}`,
      identity: String(run.workflow_id ?? run.name ?? run.id),
      branch: run.head_branch ?? 'detached',
      conclusion: run.conclusion ?? 'unknown',
      url: run.html_url,
      sha: run.head_sha,
      at: run.updated_at,
    };
  }
  const { action, repository, check_run: check } = parseOrThrow(checkRunEventSchema, body);
  if (action !== 'completed') return { ignored: `check_run ${action}` };
  return {
    kind: 'check_run',
    repo: repository.full_name,
    name: check.name,
    identity: check.name,
    branch: check.check_suite?.head_branch ?? 'detached',
    conclusion: check.conclusion ?? 'unknown',
    url: check.html_url ?? undefined,
    sha: check.head_sha,
    at: check.completed_at ?? undefined,
  };
}

/**
 * `POST /webhooks/github`: the body is read as raw bytes (in this route's own scope), its
 * `X-Hub-Signature-256` checked against GITHUB_WEBHOOK_SECRET in constant time, and only then
 * parsed. Failed `workflow_run` / `check_run` runs open (or join) a ci-failure incident; a later
 * success of the same job is recorded on it as a resolved alert; everything else is 202-ignored.
 */
export function githubRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );
  app.post('/webhooks/github', async (request, reply) => {
    const secret = ctx.env.GITHUB_WEBHOOK_SECRET;
    if (!secret) {
      return reply.code(503).send({ error: 'GitHub webhook disabled: set GITHUB_WEBHOOK_SECRET' });
    }
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const signature = request.headers['x-hub-signature-256'];
    if (!verifyGithubSignature(secret, raw, typeof signature === 'string' ? signature : undefined)) {
      return reply.code(401).send({ error: 'X-Hub-Signature-256 missing or does not match the body' });
    }
    const event = request.headers['x-github-event'];
    if (typeof event !== 'string' || !/^[a-z_]{1,64}$/.test(event)) {
      throw new InvalidRequestError('X-GitHub-Event header missing or malformed', 'x-github-event');
    }
    const body = parseJsonBody(raw);
    if (event === 'ping') return reply.code(200).send({ ok: true, pong: true });
    if (event !== 'workflow_run' && event !== 'check_run') {
      return reply.code(202).send({ ignored: `event ${event} is not handled` });
    }
    const job = jobFrom(event, body);
    if ('ignored' in job) return reply.code(202).send({ ignored: job.ignored });
    if (![...FAILED_CONCLUSIONS, ...PASSED_CONCLUSIONS].includes(job.conclusion)) {
      return reply.code(202).send({ ignored: `conclusion ${job.conclusion}` });
    }
    const [result] = await deliverAlerts(ctx, prepareAlerts(ctx, [toAlert(job)], ''), {
      withIncidentId: true,
    });
    return reply.code(202).send(result);
  });
}
