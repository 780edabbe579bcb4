/**
 * What activities receive instead of reaching for globals: tests pass temp folders, a fake clock
 * and a capturing logger; the worker passes the real ones (src/worker/main.ts).
 */
import type { Client } from '@temporalio/client';
import type { EngineConfig } from '../config/engine-config';
import type { SlackPoster } from './support/slack-chat';

/**
 * A log line from an activity. `fields` are structured (for example `{ incidentId, step }`); the
 * worker adds the SDK's workflow/activity attributes (src/worker/activity-log.ts).
 */
export type ActivityLog = (line: string, fields?: Record<string, unknown>) => void;

export interface ActivityDeps {
  /** The validated config file (defaults when none). */
  config: EngineConfig;
  /** A Temporal client, for activities that read visibility (open incidents) or start schedules. */
  client?: Client;
  /** Folder holding one sub-folder per incident: note, timeline, logs, report. */
  incidentsDir: string;
  /** Slack bot (SLACK_BOT_TOKEN + SLACK_CHANNEL): notifications as Block Kit messages with buttons. */
  slack?: SlackPoster;
  /** Slack-compatible incoming-webhook URL, used when no bot is configured; else the log. */
  slackWebhookUrl?: string;
  /** Where notifications and activity messages go when no webhook is configured. */
  log: ActivityLog;
  /** Injectable clock for file timestamps in tests. */
  now: () => Date;
}
