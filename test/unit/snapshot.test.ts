import { describe, expect, it } from "vitest";
import flagsJson from "../../config/flags.json";
import { evaluate } from "../../src/domain/evaluate.js";
import { Flag, FlagSet, type FlagInput } from "../../src/domain/flag.js";
import { compileSnapshot, evaluateAll, findFlag, FlagOverrides, Snapshot } from "../../src/domain/snapshot.js";
import { booleanFlag } from "../support/flags.js";

const NOW = Date.parse("2026-11-26T10:00:00Z");

const flag = (key: string, over: Partial<FlagInput> = {}): Flag => Flag.parse(booleanFlag(key, over));

function snapshot(flags: Flag[], over: Partial<Snapshot> = {}): Snapshot {
  return Snapshot.parse({ env: "production", version: 3, publishedAt: "2026-11-26T10:00:00Z", flags, keys: {}, ...over });
}

const FLAGS = [
  flag("zeta", { clientSide: true }),
  flag("alpha"),
  flag("Beta", { clientSide: true }),
  flag("mid.dle", { clientSide: false, rules: [{ id: "r", when: [{ attribute: "plan", op: "eq", values: ["gold"] }], serve: { variant: "off" } }] }),
  flag("kill", { clientSide: true, enabled: false }),
  flag("99"),
];

describe("compileSnapshot", () => {
  const compiled = compileSnapshot(snapshot(FLAGS));

  it("keeps env and version", () => {
    expect(compiled.env).toBe("production");
    expect(compiled.version).toBe(3);
  });

  it("sorts flags by key (code-unit order) for deterministic bulk bodies", () => {
    const keys = evaluateAll(compiled, {}, NOW, "all").map((r) => r.key);
    expect(keys).toEqual(["99", "Beta", "alpha", "kill", "mid.dle", "zeta"]);
    expect(evaluateAll(compiled, {}, NOW, "clientSide").map((r) => r.key)).toEqual(["Beta", "kill", "zeta"]);
  });

  it("does not reorder the input snapshot", () => {
    const s = snapshot(FLAGS);
    const before = s.flags.map((f) => f.key);
    compileSnapshot(s);
    expect(s.flags.map((f) => f.key)).toEqual(before);
  });

  it("indexes flags by key", () => {
    for (const f of FLAGS) expect(findFlag(compiled, f.key, "all")?.flag).toEqual(f); // Snapshot.parse copies
    expect(compiled.flagCount).toBe(FLAGS.length);
  });

  it("indexes SDK key grants by hash", () => {
    const grant = { id: "k1", name: "web", kind: "client" as const };
    const c = compileSnapshot(snapshot(FLAGS, { keys: { abc123: grant } }));
    expect(c.keys.get("abc123")).toEqual(grant);
    expect(c.keys.get("nope")).toBeUndefined();
  });

  it("compiled flags evaluate exactly like evaluate()", () => {
    const all = FlagSet.parse(flagsJson).flags;
    const c = compileSnapshot(snapshot(all));
    for (const ctx of [{}, { targetingKey: "u1" }, { targetingKey: "u2", plan: "beta" }, { email: "a@example.com", targetingKey: "u3" }, { appVersion: "3.0.0" }]) {
      for (const f of all) expect(findFlag(c, f.key, "all")!.evaluate(ctx, NOW), `${f.key} ${JSON.stringify(ctx)}`).toEqual(evaluate(f, ctx, NOW));
    }
  });
});

describe("findFlag visibility", () => {
  const compiled = compileSnapshot(snapshot(FLAGS));

  it('"all" sees every flag', () => {
    for (const f of FLAGS) expect(findFlag(compiled, f.key, "all")?.flag.key).toBe(f.key);
  });

  it('"clientSide" sees only clientSide flags; others look like they do not exist', () => {
    expect(findFlag(compiled, "zeta", "clientSide")?.flag.key).toBe("zeta");
    expect(findFlag(compiled, "kill", "clientSide")?.flag.key).toBe("kill");
    expect(findFlag(compiled, "alpha", "clientSide")).toBeUndefined();
    expect(findFlag(compiled, "mid.dle", "clientSide")).toBeUndefined();
  });

  it("unknown keys are undefined for both", () => {
    expect(findFlag(compiled, "missing", "all")).toBeUndefined();
    expect(findFlag(compiled, "missing", "clientSide")).toBeUndefined();
    expect(findFlag(compiled, "ZETA", "all")).toBeUndefined(); // keys are case-sensitive
  });

  it("prototype member names are not flags", () => {
    for (const key of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      expect(findFlag(compiled, key, "all")).toBeUndefined();
      expect(findFlag(compiled, key, "clientSide")).toBeUndefined();
    }
  });
});

describe("evaluateAll", () => {
  const compiled = compileSnapshot(snapshot(FLAGS));

  it('"all" evaluates every flag, in key order', () => {
    const results = evaluateAll(compiled, { targetingKey: "u1" }, NOW, "all");
    expect(results.map((r) => r.key)).toEqual(["99", "Beta", "alpha", "kill", "mid.dle", "zeta"]);
  });

  it('"clientSide" returns only clientSide flags, in key order', () => {
    const results = evaluateAll(compiled, { targetingKey: "u1" }, NOW, "clientSide");
    expect(results.map((r) => r.key)).toEqual(["Beta", "kill", "zeta"]);
    expect(results.find((r) => r.key === "kill")).toMatchObject({ value: false, reason: "DISABLED" });
  });

  it("uses the context", () => {
    const gold = evaluateAll(compiled, { plan: "gold" }, NOW, "all").find((r) => r.key === "mid.dle");
    const free = evaluateAll(compiled, { plan: "free" }, NOW, "all").find((r) => r.key === "mid.dle");
    expect(gold).toMatchObject({ variant: "off", reason: "TARGETING_MATCH" });
    expect(free).toMatchObject({ variant: "on", reason: "STATIC", metadata: { reason: "DEFAULT" } });
  });

  it("config/flags.json: clientSide visibility returns exactly the clientSide flags", () => {
    const all = FlagSet.parse(flagsJson).flags;
    const c = compileSnapshot(snapshot(all));
    const visible = evaluateAll(c, {}, NOW, "clientSide").map((r) => r.key);
    expect(visible).toEqual(all.filter((f) => f.clientSide).map((f) => f.key).sort());
    expect(visible).toContain("emergency_shutdown");
    expect(visible).not.toContain("orchestration_enabled");
    expect(evaluateAll(c, {}, NOW, "all")).toHaveLength(all.length);
  });

  it("an empty snapshot evaluates to nothing", () => {
    const c = compileSnapshot(snapshot([]));
    expect(evaluateAll(c, {}, NOW, "all")).toEqual([]);
    expect(evaluateAll(c, {}, NOW, "clientSide")).toEqual([]);
  });
});

describe("FLAG_OVERRIDES", () => {
  const split = flag("split", { fallthrough: { split: { on: 50, off: 50 } } });
  const disabled = flag("maintenance_mode", { enabled: false, clientSide: true, category: "safety" });
  const targeted = flag("targeted", { rules: [{ id: "r", when: [{ attribute: "plan", op: "eq", values: ["gold"] }], serve: { variant: "on" } }], fallthrough: { variant: "off" } });
  const str = Flag.parse({ key: "color", type: "string", variants: { red: "#f00", blue: "#00f" }, offVariant: "red", enabled: true, fallthrough: { variant: "red" } });

  it("serves the override variant with reason STATIC and metadata {override: FLAG_OVERRIDES}", () => {
    const c = compileSnapshot(snapshot([split, targeted, str]), { split: "off", targeted: "off", color: "blue" });
    for (const ctx of [{}, { targetingKey: "u1" }, { plan: "gold", targetingKey: "u2" }]) {
      expect(findFlag(c, "split", "all")!.evaluate(ctx, NOW)).toEqual({
        key: "split",
        value: false,
        variant: "off",
        reason: "STATIC",
        metadata: { override: "FLAG_OVERRIDES" },
      });
      expect(findFlag(c, "targeted", "all")!.evaluate(ctx, NOW)).toMatchObject({ variant: "off", reason: "STATIC", metadata: { override: "FLAG_OVERRIDES" } });
      expect(findFlag(c, "color", "all")!.evaluate(ctx, NOW)).toMatchObject({ value: "#00f", variant: "blue", reason: "STATIC" });
    }
  });

  it("wins over enabled: false (a kill switch forced on by configuration)", () => {
    const c = compileSnapshot(snapshot([disabled]), { maintenance_mode: "on" });
    const result = evaluateAll(c, {}, NOW, "clientSide")[0];
    expect(result).toEqual({ key: "maintenance_mode", value: true, variant: "on", reason: "STATIC", metadata: { override: "FLAG_OVERRIDES" } });
    expect(Object.isFrozen(result)).toBe(true);
  });

  it("does not change visibility", () => {
    const c = compileSnapshot(snapshot([flag("server_only")]), { server_only: "off" });
    expect(findFlag(c, "server_only", "clientSide")).toBeUndefined();
    expect(evaluateAll(c, {}, NOW, "clientSide")).toEqual([]);
    expect(evaluateAll(c, {}, NOW, "all")[0]).toMatchObject({ variant: "off", metadata: { override: "FLAG_OVERRIDES" } });
  });

  it("an unknown override variant is ignored (the flag evaluates normally)", () => {
    const c = compileSnapshot(snapshot([disabled, split]), { maintenance_mode: "nope", split: "ON" });
    expect(findFlag(c, "maintenance_mode", "all")!.evaluate({}, NOW)).toEqual({ key: "maintenance_mode", value: false, variant: "off", reason: "DISABLED" });
    expect(findFlag(c, "split", "all")!.evaluate({ targetingKey: "u1" }, NOW).reason).toBe("SPLIT");
  });

  // Regression: an override naming an Object.prototype member is ignored like any unknown variant.
  it("an override naming an Object.prototype member is ignored too", () => {
    for (const name of ["toString", "constructor", "valueOf"]) {
      const c = compileSnapshot(snapshot([disabled]), { maintenance_mode: name });
      expect(findFlag(c, "maintenance_mode", "all")!.evaluate({}, NOW), name).toEqual({ key: "maintenance_mode", value: false, variant: "off", reason: "DISABLED" });
    }
  });

  it("flags keyed like Object.prototype members are not overridden by an empty override map", () => {
    const odd = ["constructor", "toString", "valueOf"].map((key) => flag(key, { fallthrough: { variant: "off" } }));
    for (const c of [compileSnapshot(snapshot(odd)), compileSnapshot(snapshot(odd), {})]) {
      for (const f of odd) expect(findFlag(c, f.key, "all")!.evaluate({}, NOW)).toEqual({ key: f.key, value: false, variant: "off", reason: "STATIC" });
    }
  });

  it("overrides for flags that do not exist are ignored", () => {
    const c = compileSnapshot(snapshot([split]), { ghost: "on" });
    expect(evaluateAll(c, {}, NOW, "all").map((x) => x.key)).toEqual(["split"]);
    expect(findFlag(c, "ghost", "all")).toBeUndefined();
  });

  it("FlagOverrides parses the Worker configuration shape", () => {
    const parsed = FlagOverrides.parse(JSON.parse('{"staging":{"maintenance_mode":"on"}}'));
    expect(parsed).toEqual({ staging: { maintenance_mode: "on" } });
    expect(FlagOverrides.safeParse({ Staging: { x: "on" } }).success).toBe(false);
    expect(FlagOverrides.safeParse({ staging: { x: true } }).success).toBe(false);
    const c = compileSnapshot(snapshot([disabled], { env: "staging" }), parsed.staging);
    expect(evaluateAll(c, {}, NOW, "all")[0]).toMatchObject({ value: true, metadata: { override: "FLAG_OVERRIDES" } });
  });
});
