import {
  ACTIONS_BLOCK_ID,
  BLOCKS_MAX,
  escapeMrkdwn,
  mrkdwn,
  SLACK_ACTION_IDS,
  type SlackBlock,
  type SlackVerb,
} from './slack-message';

/**
 * A Slack message after someone decided from its buttons: who decided what, or why it was refused.
 * Pure; the API sends the result with chat.update.
 */

/** block_id prefix of the notes added after a decision, so later rewrites find them. */
const NOTE_BLOCK_PREFIX = 'incident-note-';

/** A decision taken from a message's button, as the rewritten message reports it. */
export interface SlackDecisionNote {
  verb: SlackVerb;
  /** The approver identity the Slack user maps to (@alice). */
  by: string;
  /** The Slack user ID that clicked (validated: letters and digits only). */
  slackUserId: string;
  accepted: boolean;
  /** The workflow's answer, or why the decision was refused. */
  message: string;
  /**
   * An accepted approval after which the option still waits (four-eyes: more approvers needed):
   * the buttons stay for the next person.
   */
  stillPending?: boolean;
  /** ISO 8601. */
  at: string;
}

const DONE: Record<SlackVerb, string> = { ack: 'Acknowledged', approve: 'Approved', reject: 'Rejected' };

/** The note's text: "Approved by @alice (<@U1>) at ...", or "@bob's approve was refused: ...". */
export function decisionNoteText(note: SlackDecisionNote): string {
  const who = `${escapeMrkdwn(note.by)} (<@${note.slackUserId}>)`;
  return note.accepted
    ? `*${DONE[note.verb]}* by ${who} at ${note.at}: ${escapeMrkdwn(note.message)}`
    : `*${note.verb} refused* for ${who} at ${note.at}: ${escapeMrkdwn(note.message)}`;
}

type RawBlock = Record<string, unknown>;

/**
 * The message's blocks after a decision: an accepted approve or reject removes the buttons (the
 * option is decided), an accepted acknowledgement removes only its own button, a refusal or an
 * approval that still needs another approver keeps them all (someone else may still decide). A context note says who decided what, or why it was
 * refused. `blocks` come from Slack's signed interaction payload, so they are the message as posted.
 */
export function decidedBlocks(blocks: readonly RawBlock[], note: SlackDecisionNote): RawBlock[] {
  const kept = blocks.flatMap((block): RawBlock[] => {
    if (!note.accepted || note.stillPending || block.block_id !== ACTIONS_BLOCK_ID) return [block];
    if (note.verb !== 'ack') return [];
    const elements = Array.isArray(block.elements) ? (block.elements as RawBlock[]) : [];
    const rest = elements.filter((e) => e.action_id !== SLACK_ACTION_IDS.ack);
    return rest.length ? [{ ...block, elements: rest }] : [];
  });
  const notes = kept.filter(
    (b) => typeof b.block_id === 'string' && b.block_id.startsWith(NOTE_BLOCK_PREFIX),
  );
  // Room for the new note under Slack's 50-block limit: the oldest notes give way.
  const drop = new Set(notes.slice(0, Math.max(0, kept.length + 1 - BLOCKS_MAX)));
  const result = kept.filter((b) => !drop.has(b));
  const noteBlock: SlackBlock = {
    type: 'context',
    // Unique within the message (Slack refuses duplicate block IDs): one note per click.
    block_id: `${NOTE_BLOCK_PREFIX}${note.slackUserId}-${note.verb}-${note.at}`,
    elements: [mrkdwn(decisionNoteText(note))],
  };
  return [...result, noteBlock];
}
