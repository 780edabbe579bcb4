import type { MitigationOption } from '../contracts/incident';
import type { NotificationProposal } from '../contracts/messages';

/**
 * Slack Block Kit messages for incident notifications. Pure: the worker posts what
 * {@link incidentMessage} builds; the API rewrites a message after a click with
 * ./slack-decision.ts. Only the few Block Kit shapes used here are typed.
 */

/** The three buttons, by the decision verb each sends. Their `action_id`s are what the API accepts. */
export const SLACK_ACTION_IDS = {
  ack: 'incident-ack',
  approve: 'incident-approve',
  reject: 'incident-reject',
} as const;
export type SlackVerb = keyof typeof SLACK_ACTION_IDS;
export const SLACK_VERBS = Object.keys(SLACK_ACTION_IDS) as SlackVerb[];

/** block_id of the buttons row, so a rewrite after a decision finds it. */
export const ACTIONS_BLOCK_ID = 'incident-decision';

/** Slack's limits: 3,000 characters of section text, 150 of header, 50 blocks per message. */
const SECTION_MAX = 3_000;
const HEADER_MAX = 150;
export const BLOCKS_MAX = 50;

interface Text {
  type: 'plain_text' | 'mrkdwn';
  text: string;
}
export type SlackBlock =
  | { type: 'header'; text: Text }
  | { type: 'section'; text?: Text; fields?: Text[] }
  | { type: 'context'; block_id?: string; elements: Text[] }
  | { type: 'actions'; block_id: string; elements: SlackButton[] };
export interface SlackButton {
  type: 'button';
  action_id: string;
  text: Text;
  value: string;
  style?: 'primary' | 'danger';
  confirm?: { title: Text; text: Text; confirm: Text; deny: Text };
}
export interface SlackMessage {
  /** Fallback for notifications and clients without blocks. */
  text: string;
  blocks: SlackBlock[];
}

export interface IncidentNotice {
  incidentId: string;
  workflowId: string;
  severity: string;
  stage: string;
  /** escalation, approval-request, status-update, reminder, info */
  kind: string;
  text: string;
  proposal?: NotificationProposal;
  /** The option waiting for approval when the notice was sent, for Approve / Reject on escalations. */
  pendingOption?: MitigationOption;
}

/** What a button carries: the incident's workflow ID and the option, in short keys (Slack allows 2,000 characters). */
export interface SlackActionValue {
  workflowId: string;
  option?: MitigationOption;
}
export const encodeActionValue = (value: SlackActionValue): string =>
  JSON.stringify(value.option ? { w: value.workflowId, o: value.option } : { w: value.workflowId });

/** mrkdwn treats &, < and > as markup (links, mentions): text from alerts must not become one. */
export const escapeMrkdwn = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
export const mrkdwn = (text: string): Text => ({ type: 'mrkdwn', text: clip(text, SECTION_MAX) });
const plain = (text: string, max = HEADER_MAX): Text => ({ type: 'plain_text', text: clip(text, max) });

const TITLES: Record<string, string> = {
  escalation: 'Escalation',
  'approval-request': 'Approval needed',
  'status-update': 'Status update',
  reminder: 'Reminder',
};

/** The plan's steps as numbered code lines, split over as many sections as Slack's limit needs. */
function planSections(plan: readonly string[]): SlackBlock[] {
  const sections: SlackBlock[] = [];
  let lines: string[] = [];
  const flush = () => {
    if (lines.length) sections.push({ type: 'section', text: mrkdwn(`\`\`\`${lines.join('\n')}\`\`\``) });
    lines = [];
  };
  plan.forEach((step, index) => {
    const line = clip(`${index + 1}. ${escapeMrkdwn(step)}`, SECTION_MAX - 10);
    if (lines.join('\n').length + line.length + 8 > SECTION_MAX) flush();
    lines.push(line);
  });
  flush();
  return sections;
}

function buttons(notice: IncidentNotice): SlackBlock {
  const workflowId = notice.workflowId;
  const option = notice.proposal?.option ?? notice.pendingOption;
  const elements: SlackButton[] = [
    {
      type: 'button',
      action_id: SLACK_ACTION_IDS.ack,
      text: plain('Acknowledge'),
      value: encodeActionValue({ workflowId }),
    },
  ];
  if (option) {
    elements.push(
      {
        type: 'button',
        action_id: SLACK_ACTION_IDS.approve,
        text: plain('Approve'),
        style: 'primary',
        value: encodeActionValue({ workflowId, option }),
        // A destructive option runs as soon as it is approved: one more click to be sure.
        confirm: {
          title: plain('Approve this option?', 100),
          text: plain(`Approve ${option} on ${notice.incidentId}? Once approved, it runs.`, 300),
          confirm: plain('Approve', 30),
          deny: plain('Cancel', 30),
        },
      },
      {
        type: 'button',
        action_id: SLACK_ACTION_IDS.reject,
        text: plain('Reject'),
        style: 'danger',
        value: encodeActionValue({ workflowId, option }),
      },
    );
  }
  return { type: 'actions', block_id: ACTIONS_BLOCK_ID, elements };
}

/** One notification as Block Kit: who, how bad, where, what is proposed step by step, and the buttons. */
export function incidentMessage(notice: IncidentNotice): SlackMessage {
  const title = TITLES[notice.kind] ?? 'Incident';
  const blocks: SlackBlock[] = [
    { type: 'header', text: plain(`${title}: ${notice.incidentId}`) },
    {
      type: 'section',
      fields: [
        mrkdwn(`*Severity*\n${escapeMrkdwn(notice.severity)}`),
        mrkdwn(`*Stage*\n${escapeMrkdwn(notice.stage)}`),
      ],
    },
    { type: 'section', text: mrkdwn(escapeMrkdwn(notice.text)) },
  ];
  const proposal = notice.proposal;
  if (proposal) {
    blocks.push({
      type: 'section',
      text: mrkdwn(
        `*Proposed:* \`${proposal.option}\` (${proposal.risk}): ${escapeMrkdwn(proposal.description)}` +
          (proposal.plan?.length ? '\n*Exact steps:*' : '\n_No rollback procedure: a human carries it out._'),
      ),
    });
    blocks.push(...planSections(proposal.plan ?? []));
  }
  blocks.push(buttons(notice));
  // Slack refuses more than 50 blocks: keep the head and the buttons, drop the plan's tail.
  if (blocks.length > BLOCKS_MAX) blocks.splice(BLOCKS_MAX - 1, blocks.length - BLOCKS_MAX);
  const text = clip(
    `[${notice.kind}] ${notice.incidentId} (${notice.severity}): ${notice.text}`,
    SECTION_MAX,
  );
  return { text, blocks };
}
