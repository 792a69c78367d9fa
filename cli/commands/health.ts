/** `flagctl health`: one line per check of GET /health; exit 1 unless everything is healthy. */
import { Command } from "commander";
import { context } from "../lib/context.ts";
import { EXIT } from "../lib/errors.ts";
import { CHECK, CROSS, out, table } from "../lib/output.ts";
import type { HealthReport } from "../lib/types.ts";

export function healthCommand(): Command {
  return new Command("health")
    .description("check the service: config, KV, D1, each environment's Durable Object and snapshot (no token needed)")
    .action(async (_opts: unknown, cmd: Command) => {
      const { api, json } = context(cmd);
      const { status, body } = await api.request<HealthReport>("GET", "/health", { auth: false, accept: [503] });
      const healthy = status === 200 && body.status === "ok";
      if (json) out.json(body);
      else {
        for (const l of table(null, body.checks.map((c) => [c.ok ? CHECK : CROSS, c.name, c.detail]))) out.line(l);
        out.line(healthy ? `${CHECK} healthy` : `${CROSS} unhealthy: ${body.checks.filter((c) => !c.ok).length} of ${body.checks.length} checks failed`);
      }
      if (!healthy) process.exitCode = EXIT.FAILED;
    });
}
