import type { Severity } from '../contracts/incident';
import { type BusinessHours, nextBusinessDayDeadline } from './business-hours';

/** An acknowledgement target from the guide's severity table: milliseconds or the next business day. */
export type AckTarget = number | 'next-business-day';

/** When an incident of `severity` detected at `detectedAt` must be acknowledged. */
export function ackDeadline(
  severity: Severity,
  detectedAt: Date,
  targets: Record<Severity, AckTarget>,
  hours: BusinessHours,
): Date {
  const target = targets[severity];
  if (target === 'next-business-day') return nextBusinessDayDeadline(detectedAt, hours);
  return new Date(detectedAt.getTime() + target);
}
