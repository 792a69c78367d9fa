/** The webhooks page's pure logic (ui/src/webhook-model.ts): the events list, its checks, the delivery log's rows. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EVENT_FAMILIES as DOMAIN_FAMILIES, EventPattern } from "../../../src/domain/webhook.js";
import {
  awaitingRetry,
  buildEvents,
  deliveryResult,
  deliverySummary,
  EVENT_FAMILIES,
  MAX_PATTERNS,
  newestAttempts,
  outcomeCounts,
  parsePatterns,
  patternProblem,
  secretProblem,
  webhookScope,
} from "../../../ui/src/webhook-model.js";

describe("EVENT_FAMILIES", () => {
  it("is the domain's list, in its order (the UI repeats it to keep zod out of the bundle)", () => {
    expect([...EVENT_FAMILIES]).toEqual([...DOMAIN_FAMILIES]);
  });
});

describe("parsePatterns", () => {
  it("splits on commas, trims and drops empties", () => {
    expect(parsePatterns(" flag.disabled, ,rollout.paused ,")).toEqual(["flag.disabled", "rollout.paused"]);
    expect(parsePatterns("   ")).toEqual([]);
  });
});

describe("patternProblem", () => {
  it("accepts what the API accepts and refuses what it refuses", () => {
    for (const ok of ["*", "flag.*", "flag.disabled", "stage.advanced", "sdk_key.revoked", "rollout.guard_warning"]) expect(patternProblem(ok)).toBeNull();
    expect(patternProblem("billing.*")).toMatch(/names no event family/);
    expect(patternProblem("stage.*")).toMatch(/rollout\.\*/);
    expect(patternProblem("flag")).toMatch(/is not/);
    expect(patternProblem("Flag.Disabled")).toMatch(/is not/);
  });

  it("agrees with the domain's EventPattern on arbitrary and pattern-shaped strings", () => {
    const shaped = fc
      .tuple(fc.constantFrom(...EVENT_FAMILIES, "stage", "billing", "x"), fc.constantFrom("*", "created", "guard_warning", "Bad", "", "a".repeat(60)))
      .map(([f, n]) => `${f}.${n}`);
    fc.assert(
      fc.property(fc.oneof(shaped, fc.string({ maxLength: 70 }), fc.constant("*")), (p) => {
        expect(patternProblem(p) === null).toBe(EventPattern.safeParse(p).success);
      }),
    );
  });
});

describe("buildEvents", () => {
  it("puts the ticked families first, in the families' order, then the extra patterns, each once", () => {
    expect(buildEvents({ families: ["segment", "flag"], extra: "rollout.paused, flag.*, rollout.paused" })).toEqual({
      ok: true,
      events: ["flag.*", "segment.*", "rollout.paused"],
    });
  });

  it("lists every bad extra pattern as an events line", () => {
    const built = buildEvents({ families: ["flag"], extra: "billing.*, stage.*" });
    expect(built.ok).toBe(false);
    if (!built.ok) expect(built.errors).toEqual([expect.stringMatching(/^events: "billing\.\*" /), expect.stringMatching(/^events: "stage\.\*" /)]);
  });

  it("asks for at least one pattern, and at most the API's limit", () => {
    expect(buildEvents({ families: [], extra: " , " })).toEqual({ ok: false, errors: ["events: tick a family or type a pattern"] });
    const many = Array.from({ length: MAX_PATTERNS + 1 }, (_, i) => `flag.e${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`).join(",");
    expect(buildEvents({ families: [], extra: many })).toEqual({ ok: false, errors: [`events: at most ${MAX_PATTERNS} patterns`] });
  });

  it("property: a built list is non-empty, duplicate-free, valid for the API, and holds every ticked family", () => {
    const extraPattern = fc.oneof(
      fc.constantFrom(...EVENT_FAMILIES).map((f) => `${f}.*`),
      fc.constantFrom("flag.disabled", "rollout.paused", "stage.advanced", "*"),
    );
    fc.assert(
      fc.property(fc.subarray([...EVENT_FAMILIES]), fc.array(extraPattern, { maxLength: 8 }), fc.constantFrom(",", ", ", " ,"), (families, extras, sep) => {
        const built = buildEvents({ families, extra: extras.join(sep) });
        expect(built.ok).toBe(families.length > 0 || extras.length > 0);
        if (!built.ok) return;
        expect(new Set(built.events).size).toBe(built.events.length);
        for (const p of built.events) expect(EventPattern.safeParse(p).success).toBe(true);
        for (const f of families) expect(built.events).toContain(`${f}.*`);
        for (const p of extras) expect(built.events).toContain(p);
      }),
    );
  });
});

describe("secretProblem", () => {
  it("allows blank (generated) and 16–128 printable characters", () => {
    expect(secretProblem("")).toBeNull();
    expect(secretProblem("a".repeat(16))).toBeNull();
    expect(secretProblem("short")).toMatch(/^secret: /);
    expect(secretProblem("a".repeat(12) + " abcd")).toMatch(/printable/);
  });
});

const row = (eventId: string, attempt: number, outcome: "delivered" | "retrying" | "dropped") => ({ eventId, attempt, outcome });

describe("delivery rows", () => {
  it("shows the status, the error beside it only when it says more, or the error alone", () => {
    expect(deliveryResult({ status: 204, error: null })).toBe("204");
    expect(deliveryResult({ status: 503, error: "HTTP 503" })).toBe("503");
    expect(deliveryResult({ status: 302, error: "redirects are not followed" })).toBe("302 (redirects are not followed)");
    expect(deliveryResult({ status: null, error: "timeout after 5000 ms" })).toBe("timeout after 5000 ms");
    expect(deliveryResult({ status: null, error: null })).toBe("no answer");
  });

  it("counts outcomes, and summarises the log by each event's newest attempt", () => {
    const rows = [row("e:2", 1, "delivered"), row("e:1", 2, "delivered"), row("e:1", 1, "retrying")];
    expect(outcomeCounts(rows)).toEqual({ delivered: 2, retrying: 1, dropped: 0 });
    expect(newestAttempts(rows)).toEqual([row("e:2", 1, "delivered"), row("e:1", 2, "delivered")]);
    expect(deliverySummary(rows)).toBe("2 events, 3 attempts: 2 delivered");
    expect(deliverySummary([row("e:3", 1, "retrying"), ...rows])).toBe("3 events, 4 attempts: 2 delivered, 1 awaiting a retry");
    expect(deliverySummary([row("e:1", 8, "dropped")])).toBe("1 event, 1 attempt: 1 dropped");
    expect(deliverySummary([])).toBe("No delivery attempts yet.");
  });

  it("polls only while an event's newest attempt is retrying", () => {
    expect(awaitingRetry([row("e:1", 2, "delivered"), row("e:1", 1, "retrying")])).toBe(false);
    expect(awaitingRetry([row("e:2", 1, "retrying"), row("e:1", 1, "delivered")])).toBe(true);
    expect(awaitingRetry([])).toBe(false);
  });

  it("property: one newest attempt per event, none older than another of its event; the counts add up", () => {
    const attempt = fc.record({
      eventId: fc.constantFrom("e:1", "e:2", "e:3", "e:4"),
      attempt: fc.integer({ min: 1, max: 8 }),
      outcome: fc.constantFrom("delivered" as const, "retrying" as const, "dropped" as const),
    });
    fc.assert(
      fc.property(fc.array(attempt, { maxLength: 30 }), (rows) => {
        const newest = newestAttempts(rows);
        expect(new Set(newest.map((r) => r.eventId)).size).toBe(new Set(rows.map((r) => r.eventId)).size);
        for (const n of newest) for (const r of rows) if (r.eventId === n.eventId) expect(r.attempt).toBeLessThanOrEqual(n.attempt);
        const c = outcomeCounts(rows);
        expect(c.delivered + c.retrying + c.dropped).toBe(rows.length);
        expect(awaitingRetry(rows)).toBe(newest.some((r) => r.outcome === "retrying"));
      }),
    );
  });
});

describe("webhookScope", () => {
  it("names the rollout of a rollout-scoped subscription", () => {
    expect(webhookScope({ rolloutId: null })).toBe("environment");
    expect(webhookScope({ rolloutId: "ro_1" })).toBe("rollout ro_1");
  });
});
