/**
 * `GET /admin/v1/envs/{env}/events`: the environment's audit events as they commit, and its version
 * changes, as Server-Sent Events (docs/push.md). Authenticated like every admin route (the
 * `Authorization` header; a token never goes into a URL), so it is for `fetch` streaming clients
 * (flagctl, the dashboard), not EventSource. `event: audit` frames carry one entry each with its seq
 * as the id; `event: change` frames carry `{version, lastModified}` (the first one at once: the
 * current version). History before the stream opened is read from `GET …/audit`.
 */
import { z } from "zod";
import { openSse } from "../../push/sse.js";
import { subscribe } from "../../push/subscription.js";
import { ApiError } from "../errors.js";
import { adminRoute } from "./access.js";
import { EnvParam } from "./schemas.js";
import { createAdminRouter, errorResponses } from "./support.js";

export const eventRoutes = createAdminRouter();

eventRoutes.openapi(
  adminRoute({ role: "viewer", on: "path" }, {
    method: "get",
    path: "/envs/{env}/events",
    summary: "Stream the environment's audit events and version changes as they commit (Server-Sent Events; stays open)",
    request: { params: EnvParam },
    responses: {
      200: { description: "an endless text/event-stream of `audit` and `change` events", content: { "text/event-stream": { schema: z.string() } } },
      ...errorResponses,
    },
  }),
  async (c) => {
    const { env } = c.req.valid("param");
    let subscription: { close(): void } | undefined;
    const sse = openSse(() => subscription?.close());
    subscription = await subscribe(c.env, env, "admin", {
      onMessage: (message) => {
        if (message.type === "audit") {
          for (const entry of message.entries) sse.write({ id: entry.seq, event: "audit", data: JSON.stringify(entry) });
        } else {
          sse.write({ event: "change", data: JSON.stringify({ version: message.version, lastModified: message.lastModified }) });
        }
      },
      onClose: () => sse.end(),
    });
    if (!subscription) {
      sse.end();
      throw new ApiError(503, "INTERNAL", "the environment's change feed is unavailable; retry");
    }
    return sse.response as never;
  },
);
