/**
 * What the audit log records when a rollout is created (docs/rollouts.md, "Audit"): the plan and
 * everything that decides when it advances or rolls back — the guards as resolved, the health
 * checks and the webhooks — without the secrets those URLs may carry. Pure: no I/O.
 */
import { redactUrl } from "../outbound-url.js";
import type { Rollout } from "./model.js";

/** Only the host (with port): a webhook's path is often its secret (e.g. Slack incoming webhooks). */
export function webhookHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(not a URL)";
  }
}

export function rolloutCreatedAfter(rollout: Rollout): Record<string, unknown> {
  return {
    rolloutId: rollout.id,
    strategy: rollout.strategy,
    stages: rollout.stages,
    finalBakeSeconds: rollout.finalBakeSeconds,
    startAt: new Date(rollout.startAt).toISOString(),
    // As resolved: defaults filled in; a metric guard turned off (enabled: false) is absent.
    guards: rollout.guards,
    healthChecks: rollout.healthChecks.map((h) => ({ url: redactUrl(h.url), timeoutMs: h.timeoutMs })),
    webhooks: rollout.webhooks.map(webhookHost),
  };
}
