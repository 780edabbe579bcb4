import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommanderError } from 'commander';
import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  RetryState,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/common';
import { exitCodeFor } from '../../src/process/exit-codes';
import {
  ApproverNotAllowedError,
  EngineUnavailableError,
  IncidentNotFoundError,
  InvalidRequestError,
  UpdateRefusedError,
} from '../../src/use-cases/errors';
import { ConfigError } from '../../src/config/engine-config';
import { failureMessage, failureReason } from '../../src/domain/failure-message';
import {
  EXIT,
  FAILURE,
  FAILURE_RETRY,
  NON_RETRYABLE_RUNBOOK_FAILURES,
  reportOf,
} from '../../src/domain/failure-types';

const activityFailed = (cause: Error) =>
  new ActivityFailure(
    'Activity task failed',
    'revertCommit',
    '7',
    RetryState.NON_RETRYABLE_FAILURE,
    'w',
    cause,
  );

describe('failure catalogue', () => {
  it('gives every failure type a retry intent, and the rollback retry policies list only final ones', () => {
    for (const type of Object.values(FAILURE)) assert.ok(FAILURE_RETRY[type], type);
    for (const type of NON_RETRYABLE_RUNBOOK_FAILURES) assert.equal(FAILURE_RETRY[type], 'final', type);
    assert.ok(!NON_RETRYABLE_RUNBOOK_FAILURES.includes(FAILURE.repoLocked), 'a held lock is waited out');
  });

  it('maps each reported error to one exit code and one HTTP status', () => {
    const cases: [Error, number, number | undefined][] = [
      [new InvalidRequestError('bad', 'field'), EXIT.usage, 400],
      [new ConfigError('bad config'), EXIT.usage, undefined],
      [new ApproverNotAllowedError('no'), EXIT.refused, 403],
      [new IncidentNotFoundError('INCIDENT-1'), EXIT.notFound, 404],
      [new UpdateRefusedError('closed', 'wf'), EXIT.refused, 409],
      [new WorkflowExecutionAlreadyStartedError('started', 'wf', 'incidentWorkflow'), EXIT.refused, 409],
      [new EngineUnavailableError('down'), EXIT.unavailable, 503],
      [new Error('bug'), EXIT.failure, undefined],
    ];
    for (const [error, exit, http] of cases) {
      assert.equal(exitCodeFor(error), exit, error.name);
      assert.equal(reportOf(error)?.http, http, error.name);
    }
    assert.equal(exitCodeFor(new CommanderError(2, 'commander.unknownOption', 'x')), EXIT.usage);
  });
});

describe('failureMessage', () => {
  it('names the activity failure by its catalogued type, without the wrapper', () => {
    const cause = ApplicationFailure.create({ type: FAILURE.mergeConflict, message: 'src/a.ts conflicts' });
    assert.equal(failureMessage(activityFailed(cause)), 'MergeConflict: src/a.ts conflicts');
    assert.equal(failureReason(activityFailed(cause)), 'src/a.ts conflicts');
  });

  it('unwraps a failed child workflow to its reason', () => {
    const cause = ApplicationFailure.create({ type: FAILURE.verificationFailed, message: 'no widgets' });
    const child = new ChildWorkflowFailure(
      'default',
      { workflowId: 'rollback-widget-X', runId: 'r' },
      'widgetRollback',
      RetryState.NON_RETRYABLE_FAILURE,
      cause,
    );
    assert.equal(failureMessage(child), 'VerificationFailed: no widgets');
  });

  it('falls back to the message of anything else', () => {
    assert.equal(failureMessage(new Error('plain')), 'plain');
    assert.equal(failureMessage('text'), 'text');
  });
});
