/**
 * The rollback saga: each completed step registers its undo; when a step fails, the undos run
 * newest first and every step's fate is recorded for the result and the incident timeline.
 */
import { ActivityFailure, ApplicationFailure, CancellationScope, isCancellation } from '@temporalio/workflow';
import { failureMessage } from '../../domain/failure-message';
import { asStepFailure, type StepFailure } from '../../contracts/step-failure';
import type { RollbackStepRecord } from '../../contracts/rollback';

/** A step failed; `step` is its stable ID. */
export class RollbackStepFailed extends Error {
  constructor(
    readonly step: string,
    readonly reason: string,
  ) {
    super(`${step} failed: ${reason}`);
    this.name = 'RollbackStepFailed';
  }
}

/** The activity's own message, not the "Activity task failed" wrapper (the engine's one failureMessage). */
export const reasonOf = failureMessage;

/** The activity's structured failure details (command, exit code, output, log), when it gave them. */
export function failureOf(step: string, error: unknown): StepFailure | undefined {
  if (error instanceof ActivityFailure && error.cause) return failureOf(step, error.cause);
  if (!(error instanceof ApplicationFailure)) return undefined;
  const failure = asStepFailure(error.type, error.details?.[0]);
  return failure && { step, ...failure };
}

/** An activity result's `note` for the timeline (a service adopted from an earlier attempt ...). */
const noteOf = (result: unknown): string | undefined => {
  const note = (result as { note?: unknown } | null | undefined)?.note;
  return typeof note === 'string' ? note : undefined;
};

interface Undo {
  step: string;
  run: () => Promise<unknown>;
}

export class RollbackSaga {
  readonly steps: RollbackStepRecord[] = [];
  private readonly undos: Undo[] = [];

  /** Runs a step, records it, and on success registers `undo` (if any, and if `undoWhen` holds) for compensation. */
  async step<T>(
    step: string,
    run: () => Promise<T>,
    options: {
      undo?: (result: T) => Promise<unknown>;
      /** Registers the undo only when the step's effect took place (e.g. it stopped a process). */
      undoWhen?: (result: T) => boolean;
      detail?: (result: T) => string | undefined;
    } = {},
  ): Promise<T> {
    const startedAt = new Date().toISOString();
    try {
      const result = await run();
      const note = noteOf(result);
      this.steps.push({
        step,
        status: 'succeeded',
        startedAt,
        endedAt: new Date().toISOString(),
        detail: options.detail?.(result),
        ...(note !== undefined && { note }),
      });
      const undo = options.undo;
      if (undo && (options.undoWhen?.(result) ?? true)) this.undos.push({ step, run: () => undo(result) });
      return result;
    } catch (error) {
      const reason = reasonOf(error);
      const failure = failureOf(step, error);
      this.steps.push({
        step,
        status: 'failed',
        startedAt,
        endedAt: new Date().toISOString(),
        detail: reason,
        ...(failure && { failure }),
      });
      // A cancelled rollback still undoes its steps, then reports the cancellation itself.
      if (isCancellation(error)) throw error;
      throw new RollbackStepFailed(step, reason);
    }
  }

  /** Records a step that does not apply to this mode. */
  skip(step: string, detail: string): void {
    const at = new Date().toISOString();
    this.steps.push({ step, status: 'skipped', startedAt: at, endedAt: at, detail });
  }

  /**
   * Runs the registered undos newest first, even when the workflow is being cancelled. An undo
   * that fails is recorded and the rest still run.
   */
  async compensate(): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      for (const undo of [...this.undos].reverse()) {
        const startedAt = new Date().toISOString();
        try {
          await undo.run();
          const original = this.steps.find((s) => s.step === undo.step && s.status === 'succeeded');
          if (original) original.status = 'undone';
          this.steps.push({
            step: `undo-${undo.step}`,
            status: 'succeeded',
            startedAt,
            endedAt: new Date().toISOString(),
          });
        } catch (error) {
          // Undos run in a non-cancellable scope; anything else failing here is recorded.
          const failure = failureOf(`undo-${undo.step}`, error);
          this.steps.push({
            step: `undo-${undo.step}`,
            status: 'failed',
            startedAt,
            endedAt: new Date().toISOString(),
            detail: reasonOf(error),
            ...(failure && { failure }),
          });
        }
      }
      this.undos.length = 0;
    });
  }
}
