import type { Policy } from '../../contracts/policy';
import type { ActivityDeps } from '../deps';

export function createPolicyActivities(deps: ActivityDeps) {
  return {
    /**
     * The worker's parsed lifecycle policy. The workflow cannot read files; calling this once at
     * start records the policy in history, so replays and later worker restarts with a changed
     * config file leave running incidents on the rules they started with. Pure read, safe to retry.
     */
    loadPolicy(): Promise<Policy> {
      return Promise.resolve(deps.config.policy);
    },
  };
}
