import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { policySchema, type PolicyDraft } from '../../src/contracts/policy';
import type { PendingApproval } from '../../src/contracts/messages';
import {
  agreedTarget,
  approvalProgress,
  approversNow,
  countApproval,
  groupDue,
  requiredApprovals,
} from '../../src/domain/four-eyes';
import { decisionsAppendix, fingerprint, proposalSeen } from '../../src/domain/decision-audit';
import {
  approveRule,
  FOUR_EYES_PATCH,
  rejectRule,
  setSeverityRule,
} from '../../src/workflows/incident/message-rules';
import { APPROVAL_DELEGATION_PATCH, delegateApproval } from '../../src/workflows/incident/delegation';
import { currentDetails } from '../../src/domain/current-details';
import { statusText } from '../../src/cli/format';
import { palette } from '../../src/cli/colour';
import { incidentPlanText, planIncident } from '../../src/domain/incident-plan';
import { parseEngineConfig } from '../../src/config/engine-config';
import { testLifecycle } from '../helpers/lifecycle-state';

const policy = (draft: PolicyDraft = {}) => policySchema.parse(draft);
const fourEyes = policy({
  approvers: { 'SEV-1': { '*': ['@alice', '@bob', '@carol'] } },
  approvals: {
    required: { 'SEV-1': { 'revert-last-change': 2, '*': 1 } },
    groups: [
      { name: 'leads', members: ['@lead1', '@lead2'] },
      { name: 'directors', members: ['@dir'] },
    ],
  },
});
const at = '2026-11-30T01:00:00.000Z';
/** Read through a call, so an earlier `assert.equal(…, undefined)` does not narrow it for good. */
const decisionOf = (ctx: { decision: unknown }) =>
  ctx.decision as { kind: string; input: { approver?: string; target?: string } } | undefined;
const approval = (by: string, target?: string) => ({ by, at, ...(target ? { target } : {}) });

describe('four-eyes rules (pure)', () => {
  it('needs the option’s own number, else the row’s *, else 1', () => {
    assert.equal(requiredApprovals(fourEyes.approvals, 'SEV-1', 'revert-last-change'), 2);
    assert.equal(requiredApprovals(fourEyes.approvals, 'SEV-1', 'deploy-known-good'), 1);
    assert.equal(requiredApprovals(fourEyes.approvals, 'SEV-2', 'revert-last-change'), 1);
    // A policy recorded before four-eyes has no `approvals`: one approval, as before.
    assert.equal(requiredApprovals(undefined, 'SEV-1', 'revert-last-change'), 1);
  });

  it('counts distinct approvers only: the same person twice is a repeat, not a second approval', () => {
    assert.deepEqual(countApproval([], '@alice', 2), { kind: 'waiting', count: 1, required: 2 });
    assert.deepEqual(countApproval([approval('@alice')], '@alice', 2), {
      kind: 'repeat',
      count: 1,
      required: 2,
    });
    assert.deepEqual(countApproval([approval('@alice')], '@bob', 2), {
      kind: 'enough',
      count: 2,
      required: 2,
    });
    assert.deepEqual(countApproval([], '@alice', 1), { kind: 'enough', count: 1, required: 1 });
  });

  it('makes approvers who name a target agree on it', () => {
    assert.deepEqual(agreedTarget([approval('@alice', 'abc1234')], undefined), { target: 'abc1234' });
    assert.deepEqual(agreedTarget([approval('@alice')], 'abc1234'), { target: 'abc1234' });
    const conflict = agreedTarget([approval('@alice', 'abc1234')], 'def5678');
    assert.ok('conflict' in conflict);
    assert.match(conflict.conflict, /@alice approved target abc1234, not def5678/);
  });

  it('asks the groups in order, one every delegateAfter missed deadlines, each once', () => {
    const rules = fourEyes.approvals;
    assert.equal(groupDue(rules, 1, []), undefined);
    assert.equal(groupDue(rules, 2, [])?.name, 'leads');
    assert.equal(groupDue(rules, 3, []), undefined);
    const asked = [{ group: 'leads', members: ['@lead1', '@lead2'], at }];
    assert.equal(groupDue(rules, 2, asked), undefined);
    assert.equal(groupDue(rules, 4, asked)?.name, 'directors');
    assert.equal(groupDue(rules, 6, [...asked, { group: 'directors', members: ['@dir'], at }]), undefined);
    assert.equal(groupDue({ ...rules, delegateAfter: 1 }, 1, [])?.name, 'leads');
    assert.equal(groupDue(policy().approvals, 2, []), undefined);
    assert.equal(groupDue(undefined, 2, []), undefined);
  });

  it('widens the allowed approvers with the groups asked, never narrows them', () => {
    assert.deepEqual(approversNow(fourEyes.approvers, 'SEV-1', 'revert-last-change'), [
      '@alice',
      '@bob',
      '@carol',
    ]);
    assert.deepEqual(
      approversNow(fourEyes.approvers, 'SEV-1', 'revert-last-change', [
        { group: 'leads', members: ['@lead1', '@alice'], at },
      ]),
      ['@alice', '@bob', '@carol', '@lead1'],
    );
  });

  it('says how far the approvals are', () => {
    assert.equal(approvalProgress([approval('@alice')], 2), '1 of 2 approvals (@alice)');
    assert.equal(approvalProgress([], 1), '0 of 1 approval');
  });
});

describe('decision audit (pure)', () => {
  const pending: PendingApproval = {
    option: 'revert-last-change',
    risk: 'destructive',
    since: at,
    deadline: at,
    plan: ['widget rollback, mode revert', 'git revert abc1234'],
  };

  it('fingerprints the proposal so an audit can tell two approvers saw the same plan', () => {
    assert.equal(fingerprint(''), '811c9dc5');
    assert.equal(fingerprint('a'), 'e40c292c');
    assert.equal(
      proposalSeen(pending, undefined, 'abc1234'),
      `revert-last-change (destructive); target abc1234 (found by triage); plan 2 lines, fingerprint ${fingerprint(pending.plan!.join('\n'))}`,
    );
    assert.match(proposalSeen(pending, 'def5678'), /target def5678; plan 2 lines/);
  });

  it('lists every decision in the appendix, channel unknown when it was not recorded', () => {
    const text = decisionsAppendix([
      { at, stage: 'detection', decision: 'ack', by: '@alice', via: 'cli', detail: 'acknowledged' },
      { at, stage: 'mitigation', decision: 'approve', by: '@bob', detail: 'a | b', saw: 'plan' },
    ]);
    assert.match(text, /^## Appendix: Decisions\n/);
    assert.match(
      text,
      /\| 2026-11-30 01:00:00 \| detection \| ack \| @alice \| cli \| acknowledged \| {2}\|/,
    );
    assert.match(text, /\| mitigation \| approve \| @bob \| unknown \| a \\\| b \| plan \|/);
    assert.match(decisionsAppendix(undefined), /No decisions recorded\./);
  });
});

describe('four-eyes in the approve and reject rules', () => {
  const waiting = (): PendingApproval => ({
    option: 'revert-last-change',
    risk: 'destructive',
    since: at,
    deadline: at,
  });
  const sev1 = (patched = true) =>
    testLifecycle(
      { stage: 'mitigation', severity: 'SEV-1', pendingApproval: waiting() },
      { policy: fourEyes, patched },
    );
  const approve = (approver: string, extra: object = {}) => ({
    option: 'revert-last-change' as const,
    approver,
    via: 'cli' as const,
    ...extra,
  });

  it('waits for a second distinct approver; the same one twice does not count', () => {
    const { ctx, effects } = sev1();
    assert.equal(approveRule.check(ctx, approve('@alice')), undefined);
    assert.equal(
      approveRule.apply(ctx, approve('@alice')),
      '1 of 2 approvals (@alice); waiting for another approver',
    );
    assert.equal(decisionOf(ctx), undefined);
    assert.deepEqual(effects.patchesAsked, [FOUR_EYES_PATCH]);

    assert.equal(approveRule.check(ctx, approve('@alice')), undefined, 'a repeat is not an error');
    assert.match(
      approveRule.apply(ctx, approve('@alice')),
      /@alice has already approved revert-last-change; it counts once: 1 of 2/,
    );
    assert.equal(decisionOf(ctx), undefined);
    assert.equal(ctx.state.pendingApproval!.approvals!.length, 1);

    assert.equal(
      approveRule.apply(ctx, approve('@bob', { via: 'api' })),
      'revert-last-change approved (2 of 2 approvals (@alice, @bob))',
    );
    assert.equal(decisionOf(ctx)?.kind, 'approved');
    assert.equal(decisionOf(ctx)?.kind === 'approved' && decisionOf(ctx)!.input.approver, '@alice, @bob');
    const decisions = ctx.state.decisions!.map((d) => `${d.decision} ${d.by} ${d.via ?? 'unknown'}`);
    assert.deepEqual(decisions, ['approve @alice cli', 'approve @alice cli', 'approve @bob api']);
    assert.match(
      ctx.state.timeline.at(-1)!.message,
      /approved by @bob \(2 of 2 approvals \(@alice, @bob\)\) \[via api; saw: revert-last-change/,
    );
  });

  it('rejects at the first reject of an allowed approver, even after an approval', () => {
    const { ctx } = sev1();
    approveRule.apply(ctx, approve('@alice'));
    assert.equal(rejectRule.check(ctx, { option: 'revert-last-change', approver: '@carol' }), undefined);
    rejectRule.apply(ctx, { option: 'revert-last-change', approver: '@carol', reason: 'no', via: 'api' });
    assert.equal(decisionOf(ctx)?.kind, 'rejected');
    assert.match(
      ctx.state.timeline.at(-1)!.message,
      /rejected by @carol: no \[via api; saw: revert-last-change/,
    );
  });

  it('refuses a second approver naming another target than the first', () => {
    const { ctx } = sev1();
    approveRule.apply(ctx, approve('@alice', { target: 'abc1234' }));
    assert.match(
      approveRule.check(ctx, approve('@bob', { target: 'def5678' }))!,
      /@alice approved target abc1234/,
    );
    approveRule.apply(ctx, approve('@bob'));
    assert.equal(decisionOf(ctx)?.kind === 'approved' && decisionOf(ctx)!.input.target, 'abc1234');
  });

  it('replays an old history (no patch marker) as one approval deciding', () => {
    const { ctx } = sev1(false);
    approveRule.apply(ctx, approve('@alice'));
    assert.equal(decisionOf(ctx)?.kind, 'approved');
  });

  it('needs no patch and decides at once with one required approval, as before', () => {
    const { ctx, effects } = testLifecycle(
      { stage: 'mitigation', severity: 'SEV-2', pendingApproval: waiting() },
      { policy: fourEyes },
    );
    assert.match(approveRule.check(ctx, approve('@alice'))!, /may not approve/);
    const owner = fourEyes.approvers['SEV-2']['*']![0]!;
    assert.equal(approveRule.apply(ctx, approve(owner)), 'revert-last-change approved');
    assert.deepEqual(effects.patchesAsked, []);
  });

  it('shows the number the new severity needs when it is reassigned before anyone approved', () => {
    const { ctx } = testLifecycle(
      { stage: 'mitigation', severity: 'SEV-2', pendingApproval: { ...waiting(), required: 1 } },
      { policy: fourEyes },
    );
    setSeverityRule.apply(ctx, { severity: 'SEV-1', by: '@alice' });
    assert.equal(ctx.state.pendingApproval!.required, 2);
    assert.equal(decisionOf(ctx), undefined);
  });

  it('decides when a lower severity needs no more approvals than given', () => {
    const { ctx } = sev1();
    approveRule.apply(ctx, approve('@alice'));
    ctx.policy.approvers['SEV-2'] = { '*': ['@alice'] };
    setSeverityRule.apply(ctx, { severity: 'SEV-2', by: '@alice', via: 'slack' });
    assert.equal(decisionOf(ctx)?.kind, 'approved');
    assert.equal(ctx.state.pendingApproval!.required, 1);
  });

  it('lets a delegated group’s members approve only after the group is asked, and says who was asked', () => {
    const { ctx, effects } = sev1();
    assert.match(approveRule.check(ctx, approve('@lead1'))!, /@lead1 may not approve/);
    delegateApproval(ctx, 1);
    assert.equal(ctx.state.pendingApproval!.asked, undefined);
    delegateApproval(ctx, 2);
    assert.deepEqual(
      ctx.state.pendingApproval!.asked!.map((a) => a.group),
      ['leads'],
    );
    assert.ok(effects.patchesAsked.includes(APPROVAL_DELEGATION_PATCH));
    assert.match(ctx.outbox.at(-1)!.text, /^APPROVAL NEEDED from leads \(@lead1, @lead2\)/);
    assert.match(
      ctx.state.timeline.at(-1)!.message,
      /delegated to group leads \(@lead1, @lead2\) after 2 missed deadlines; 0 of 2 approvals/,
    );
    assert.equal(approveRule.check(ctx, approve('@lead1')), undefined);
    assert.match(approveRule.check(ctx, approve('@dir'))!, /@dir may not approve/);
    delegateApproval(ctx, 4);
    assert.equal(approveRule.check(ctx, approve('@dir')), undefined);
  });
});

describe('approvals where an operator looks', () => {
  const state = testLifecycle({
    stage: 'mitigation',
    severity: 'SEV-1',
    pendingApproval: {
      option: 'revert-last-change',
      risk: 'destructive',
      since: at,
      deadline: '2026-11-30T01:15:00.000Z',
      required: 2,
      approvals: [{ by: '@alice', at, via: 'cli' }],
      asked: [{ group: 'leads', members: ['@lead1', '@lead2'], at }],
    },
  }).ctx.state;

  it('shows approvals so far, required and who was asked in the Web UI details', () => {
    const details = currentDetails(state, 'Wait for approval of revert-last-change');
    assert.match(
      details,
      /Approval of revert-last-change: 1 of 2 approvals \(@alice\) · asked: leads \(@lead1, @lead2\) at 2026-11-30T01:00:00\.000Z/,
    );
  });

  it('shows them in `incident status`', () => {
    const text = statusText(palette(false), state, 'http://ui');
    assert.match(text, /\n {4}approvals: 1 of 2 approvals \(@alice\)\n/);
    assert.match(text, /\n {4}asked: group leads \(@lead1, @lead2\) at .*; its members may approve too\n/);
  });
});

describe('the plan says how many approvals an option needs', () => {
  it('shows "2 of" the approvers for a four-eyes option and nothing extra otherwise', () => {
    const incident = {
      severity: 'SEV-1' as const,
      services: ['mcp-server'],
      scenario: 'mcp-server-fails-to-start' as const,
      summary: 'MCP down',
      labels: [],
    };
    const target = parseEngineConfig({}, 'test config').target;
    const plan = planIncident(incident, fourEyes, target, new Date(at));
    const byOption = Object.fromEntries(plan.options.map((o) => [o.option, o]));
    assert.equal(byOption['revert-last-change']!.approvalsRequired, 2);
    assert.equal(byOption['deploy-known-good']!.approvalsRequired, undefined);
    assert.match(
      incidentPlanText(plan),
      /revert-last-change \(destructive, approval by 2 of @alice, @bob, @carol\)/,
    );
    assert.match(
      incidentPlanText(plan),
      /deploy-known-good \(destructive, approval by @alice, @bob, @carol\)/,
    );
  });
});
