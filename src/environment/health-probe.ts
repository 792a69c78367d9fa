/**
 * One round of a rollout's health probes: every URL must answer 2xx within its timeout. Each URL
 * is checked against the outbound policy again right before it is called (configuration may have
 * changed since the rollout was created): a refused URL is not fetched and counts as a failure.
 * Redirects are never followed (a 3xx is not 2xx, so it fails).
 */
import { checkOutboundUrl, type OutboundPolicy } from "../domain/outbound-url.js";
import type { HealthCheck } from "../domain/rollout/model.js";
import type { HealthRound } from "../domain/rollout/machine.js";

export async function probe(checks: readonly HealthCheck[], policy: OutboundPolicy, fetcher: typeof fetch = fetch): Promise<HealthRound> {
  const results = await Promise.all(
    checks.map(async (check) => {
      if (!checkOutboundUrl(check.url, policy).ok) return false;
      try {
        const res = await fetcher(check.url, { signal: AbortSignal.timeout(check.timeoutMs), redirect: "manual" });
        await res.body?.cancel();
        return res.status >= 200 && res.status < 300;
      } catch {
        return false;
      }
    }),
  );
  return results.every(Boolean) ? "PASS" : "FAIL";
}
