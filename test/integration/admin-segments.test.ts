/**
 * Segments and prerequisites through the admin API: each route's happy path, its errors and its
 * access rules (role, environment scope), the references flags make (422 naming the path, 409
 * naming the users), and what the audit log records.
 */
import { describe, expect, it } from "vitest";
import { admin, adminJson, booleanFlag, createToken } from "./admin-helpers.js";

type ErrorBody = { error: { code: string; message: string; details: { path: string; message: string }[] } };
type Segment = { key: string; include: string[]; exclude: string[]; rules: unknown[]; bucketBy: string; version: number; description?: string };
type SegmentView = { segment: Segment; usedBy: string[] };
type SegmentWrite = SegmentView & { created: boolean; changed: boolean; environmentVersion: number; published: boolean };
type MembersWrite = SegmentWrite & { added: string[]; removed: string[] };
type AuditPage = { entries: { action: string; target: { type: string; id: string }; before: unknown; after: unknown; reason: string | null }[] };

const ENV = "staging";
const seg = (key: string) => `/envs/${ENV}/segments/${key}`;
const flag = (key: string) => `/envs/${ENV}/flags/${key}`;
const inSegment = (segment: string, op: "inSegment" | "notInSegment" = "inSegment") => ({ id: `r_${segment}`, when: [{ op, values: [segment] }], serve: { variant: "on" } });
/** PUT a segment; the body's key is the path's unless the body names one. */
const putSeg = <T = SegmentWrite>(key: string, body: Record<string, unknown>, token?: string) => adminJson<T>("PUT", seg(key), { key, ...body }, token);
const paths = (body: ErrorBody) => body.error.details.map((d) => d.path);

describe("segments: PUT / GET / list", () => {
  it("creates (201, ids unique and sorted, ETag), replaces, and a repeat changes nothing", async () => {
    const created = await putSeg<SegmentWrite>("beta-users", { description: "beta", include: ["u2", "u1", "u2"], exclude: ["u9"], rules: [{ when: [{ attribute: "plan", op: "eq", values: ["beta"] }] }] });
    expect(created.status).toBe(201);
    expect(created.headers.get("ETag")).toBe('"1"');
    expect(created.body).toMatchObject({ created: true, changed: true, usedBy: [], segment: { key: "beta-users", include: ["u1", "u2"], exclude: ["u9"], bucketBy: "targetingKey", version: 1 } });
    const again = await putSeg<SegmentWrite>("beta-users", { include: ["u1", "u2"], exclude: ["u9"], description: "beta", rules: [{ when: [{ attribute: "plan", op: "eq", values: ["beta"] }] }] });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, changed: false, segment: { version: 1 } });
    const got = await adminJson<SegmentView>("GET", seg("beta-users"));
    expect(got.status).toBe(200);
    expect(got.headers.get("ETag")).toBe('"1"');
    expect(got.body.segment.include).toEqual(["u1", "u2"]);
    const list = await adminJson<{ segments: SegmentView[] }>("GET", `/envs/${ENV}/segments`);
    expect(list.status).toBe(200);
    expect(list.body.segments.map((s) => s.segment.key)).toContain("beta-users");
  });

  it("If-Match guards every write: \"0\" creates only, a stale version is refused (409) with nothing written", async () => {
    const body = { key: "guarded", include: ["a"] };
    const created = await adminJson<SegmentWrite>("PUT", seg("guarded"), body, undefined, { "If-Match": '"0"' });
    expect(created.status).toBe(201);
    const again = await adminJson<ErrorBody>("PUT", seg("guarded"), { ...body, include: ["b"] }, undefined, { "If-Match": '"0"' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: "VERSION_CONFLICT", details: [{ path: "expectedVersion", message: "current version is 1" }] });
    const saved = await adminJson<SegmentWrite>("PUT", seg("guarded"), { ...body, include: ["c"] }, undefined, { "If-Match": '"1"' });
    expect(saved.status).toBe(200);
    expect(saved.body.segment).toMatchObject({ include: ["c"], version: 2 });
    const stale = await adminJson<ErrorBody>("POST", `${seg("guarded")}/members`, { add: ["d"] }, undefined, { "If-Match": '"1"' });
    expect(stale.status).toBe(409);
    expect((await adminJson<ErrorBody>("DELETE", seg("guarded"), undefined, undefined, { "If-Match": '"1"' })).status).toBe(409);
    expect((await adminJson<SegmentView>("GET", seg("guarded"))).body.segment).toMatchObject({ include: ["c"], version: 2 });
    const bad = await adminJson<ErrorBody>("PUT", seg("guarded"), body, undefined, { "If-Match": "latest" });
    expect(bad.status).toBe(422);
    expect(paths(bad.body)).toContain("header.if-match");
    expect((await adminJson("DELETE", seg("guarded"), undefined, undefined, { "If-Match": '"2"' })).status).toBe(200);
  });

  it("takes 10,000 ids in one PUT, and refuses 10,001", async () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
    const big = await putSeg<SegmentWrite>("big", { include: ids });
    expect(big.status).toBe(201);
    expect(big.body.segment.include).toHaveLength(10_000);
    const over = await putSeg<ErrorBody>("too-big", { include: [...ids, "one-more"] });
    expect(over.status).toBe(422);
    expect(paths(over.body)).toContain("body.include");
  });

  it("refuses bad segments with 422 naming the field", async () => {
    const mismatch = await adminJson<ErrorBody>("PUT", seg("seg-a"), { key: "seg-b" });
    expect(mismatch.status).toBe(422);
    expect(paths(mismatch.body)).toContain("key");
    const typo = await putSeg<ErrorBody>("seg-a", { includes: ["u1"] });
    expect(typo.status).toBe(422);
    const nested = await putSeg<ErrorBody>("seg-a", { rules: [{ when: [{ op: "inSegment", values: ["beta-users"] }] }] });
    expect(nested.status).toBe(422);
    expect(paths(nested.body)).toContain("body.rules.0.when.0.op");
    const badNow = await putSeg<ErrorBody>("seg-a", { rules: [{ when: [{ attribute: "$now", op: "after", values: ["tomorrow"] }] }] });
    expect(badNow.status).toBe(422);
    expect(paths(badNow.body)).toContain("body.rules.0.when.0.values");
    const badKey = await adminJson<ErrorBody>("PUT", "/envs/staging/segments/-bad", { key: "-bad" });
    expect(badKey.status).toBe(422);
    expect((await adminJson("GET", seg("never-made"))).status).toBe(404);
    expect((await adminJson("GET", "/envs/qa/segments")).status).toBe(404);
  });
});

describe("segments: members", () => {
  it("adds and removes ids in a batch; the audit row carries only the diff", async () => {
    await putSeg("members", { include: ["a", "b"] });
    const changed = await adminJson<MembersWrite>("POST", `${seg("members")}/members?reason=${encodeURIComponent("weekly sync")}`, { add: ["c", "a"], remove: ["b", "zz"] });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ added: ["c"], removed: ["b"], changed: true, segment: { include: ["a", "c"], version: 2 } });
    const noop = await adminJson<MembersWrite>("POST", `${seg("members")}/members`, { add: ["a"] });
    expect(noop.body).toMatchObject({ added: [], removed: [], changed: false, segment: { version: 2 } });
    const audit = await adminJson<AuditPage>("GET", `/envs/${ENV}/audit?segment=members`);
    const actions = audit.body.entries.map((e) => e.action);
    expect(actions).toEqual(["segment.members_changed", "segment.created"]);
    expect(audit.body.entries[0]).toMatchObject({ target: { type: "segment", id: "members" }, after: { add: ["c"], remove: ["b"] }, reason: "weekly sync" });
    expect(audit.body.entries[0]?.before ?? null).toBeNull();
    expect(audit.body.entries[1]?.after).toMatchObject({ key: "members", include: ["a", "b"] });
  });

  it("refuses an empty change, an unknown segment, and more than 10,000 ids in total", async () => {
    await putSeg("members-limit", { include: Array.from({ length: 9_999 }, (_, i) => `m-${i}`) });
    const empty = await adminJson<ErrorBody>("POST", `${seg("members-limit")}/members`, {});
    expect(empty.status).toBe(422);
    expect((await adminJson("POST", `${seg("nope-nope")}/members`, { add: ["x"] })).status).toBe(404);
    const over = await adminJson<ErrorBody>("POST", `${seg("members-limit")}/members`, { add: ["x1", "x2"] });
    expect(over.status).toBe(422);
    expect(paths(over.body)).toContain("add");
    expect((await adminJson<MembersWrite>("POST", `${seg("members-limit")}/members`, { add: ["x1"] })).status).toBe(200);
  });
});

describe("segments used by flags", () => {
  it("a flag naming an unknown segment is refused with the path; usedBy lists users; delete is refused while in use", async () => {
    const unknown = await adminJson<ErrorBody>("PUT", flag("seg_user"), booleanFlag("seg_user", { rules: [inSegment("ghost")] }));
    expect(unknown.status).toBe(422);
    expect(paths(unknown.body)).toEqual(["rules.0.when.0.values.0"]);
    expect((await adminJson("GET", flag("seg_user"))).status).toBe(404);

    await putSeg("used", { include: ["u1"] });
    expect((await adminJson("PUT", flag("seg_user"), booleanFlag("seg_user", { rules: [inSegment("used")] }))).status).toBe(201);
    expect((await adminJson("PUT", flag("seg_user2"), booleanFlag("seg_user2", { rules: [inSegment("used", "notInSegment")] }))).status).toBe(201);
    expect((await adminJson<SegmentView>("GET", seg("used"))).body.usedBy).toEqual(["seg_user", "seg_user2"]);

    const refused = await adminJson<ErrorBody>("DELETE", seg("used"));
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("IN_USE");
    expect(refused.body.error.message).toContain("seg_user");
    expect(refused.body.error.message).toContain("seg_user2");

    expect((await adminJson("DELETE", flag("seg_user"))).status).toBe(200);
    expect((await adminJson("PATCH", flag("seg_user2"), { rules: [] })).status).toBe(200);
    expect((await adminJson<SegmentView>("GET", seg("used"))).body.usedBy).toEqual([]);
    const deleted = await adminJson<{ environmentVersion: number }>("DELETE", seg("used"));
    expect(deleted.status).toBe(200);
    expect((await adminJson("GET", seg("used"))).status).toBe(404);
    expect((await adminJson("DELETE", seg("used"))).status).toBe(404);
    const audit = await adminJson<AuditPage>("GET", `/envs/${ENV}/audit?segment=used&action=segment.deleted`);
    expect(audit.body.entries[0]?.before).toMatchObject({ key: "used", include: ["u1"] });
  });

  it("an import naming a segment the target lacks is refused whole, naming the flag's index", async () => {
    const res = await adminJson<ErrorBody>("POST", `/envs/${ENV}/import`, { flags: [booleanFlag("imp_ok"), booleanFlag("imp_bad", { rules: [inSegment("ghost")] })] });
    expect(res.status).toBe(422);
    expect(paths(res.body)).toEqual(["flags.1.rules.0.when.0.values.0"]);
    expect((await adminJson("GET", flag("imp_ok"))).status).toBe(404);
  });
});

describe("prerequisites on write", () => {
  it("refuses missing flags, unknown variants, cycles and chains deeper than 5, naming the path", async () => {
    const missing = await adminJson<ErrorBody>("PUT", flag("pre_a"), booleanFlag("pre_a", { prerequisites: [{ flag: "pre_missing", variants: ["on"] }] }));
    expect(missing.status).toBe(422);
    expect(paths(missing.body)).toEqual(["prerequisites.0.flag"]);
    await adminJson("PUT", flag("pre_base"), booleanFlag("pre_base"));
    const variant = await adminJson<ErrorBody>("PUT", flag("pre_a"), booleanFlag("pre_a", { prerequisites: [{ flag: "pre_base", variants: ["maybe"] }] }));
    expect(variant.status).toBe(422);
    expect(paths(variant.body)).toEqual(["prerequisites.0.variants.0"]);
    const self = await adminJson<ErrorBody>("PUT", flag("pre_a"), booleanFlag("pre_a", { prerequisites: [{ flag: "pre_a", variants: ["on"] }] }));
    expect(self.status).toBe(422);
    expect(paths(self.body)).toContain("body.prerequisites.0.flag");

    expect((await adminJson("PUT", flag("pre_a"), booleanFlag("pre_a", { prerequisites: [{ flag: "pre_base", variants: ["on"] }] }))).status).toBe(201);
    const cycle = await adminJson<ErrorBody>("PATCH", flag("pre_base"), { prerequisites: [{ flag: "pre_a", variants: ["on"] }] });
    expect(cycle.status).toBe(422);
    expect(paths(cycle.body)).toEqual(["prerequisites"]);
    expect(cycle.body.error.details[0]?.message).toMatch(/cycle/);

    // A chain c0 ← c1 ← … ← c5 is 5 deep: allowed; c6 makes it 6.
    for (let i = 0; i <= 5; i++) {
      const body = booleanFlag(`chain_${i}`, i === 0 ? {} : { prerequisites: [{ flag: `chain_${i - 1}`, variants: ["on"] }] });
      expect((await adminJson("PUT", flag(`chain_${i}`), body)).status, `chain_${i}`).toBe(201);
    }
    const deep = await adminJson<ErrorBody>("PUT", flag("chain_6"), booleanFlag("chain_6", { prerequisites: [{ flag: "chain_5", variants: ["on"] }] }));
    expect(deep.status).toBe(422);
    expect(paths(deep.body)).toEqual(["prerequisites"]);
  });

  it("refuses archiving a required flag (409 naming its dependents) and removing a variant others require", async () => {
    await adminJson("PUT", flag("req_base"), booleanFlag("req_base"));
    await adminJson("PUT", flag("req_user"), booleanFlag("req_user", { prerequisites: [{ flag: "req_base", variants: ["on"] }] }));
    const archive = await adminJson<ErrorBody>("DELETE", flag("req_base"));
    expect(archive.status).toBe(409);
    expect(archive.body.error.code).toBe("IN_USE");
    expect(archive.body.error.message).toContain("req_user");
    const drop = await adminJson<ErrorBody>("PUT", flag("req_base"), booleanFlag("req_base", { variants: { yes: true, off: false }, fallthrough: { variant: "yes" } }));
    expect(drop.status).toBe(422);
    expect(paths(drop.body)).toEqual(["variants"]);
    const replace = await adminJson<ErrorBody>("POST", `/envs/${ENV}/import?mode=replace`, { flags: [booleanFlag("req_user", { prerequisites: [{ flag: "req_base", variants: ["on"] }] })] });
    expect(replace.status).toBe(422);
  });

  it("an import may bring a flag and its prerequisite together, in any order", async () => {
    const res = await adminJson("POST", `/envs/${ENV}/import`, { flags: [booleanFlag("imp_child", { prerequisites: [{ flag: "imp_parent", variants: ["on"] }] }), booleanFlag("imp_parent")] });
    expect(res.status).toBe(200);
  });

  it("explain says PREREQUISITE_FAILED and names the prerequisite", async () => {
    await adminJson("PUT", flag("exp_parent"), booleanFlag("exp_parent", { enabled: false }));
    await adminJson("PUT", flag("exp_child"), booleanFlag("exp_child", { prerequisites: [{ flag: "exp_parent", variants: ["on"] }] }));
    const res = await adminJson<Record<string, unknown>>("POST", `${flag("exp_child")}/explain`, { context: { targetingKey: "u1" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      variant: "off",
      reason: "DISABLED",
      metadata: { prerequisite: "exp_parent" },
      decidedBy: "prerequisite",
      outcome: "PREREQUISITE_FAILED",
      prerequisite: { flag: "exp_parent", variants: ["on"], variant: "off" },
    });
  });
});

describe("segment routes: access", () => {
  it("no token → 401; a viewer reads but cannot change; another environment's operator is refused; an operator changes", async () => {
    await putSeg("guarded", { include: ["u1"] });
    expect((await admin("GET", seg("guarded"), undefined, "")).status).toBe(401);
    const viewer = await createToken("viewer", [ENV]);
    expect((await adminJson("GET", seg("guarded"), undefined, viewer)).status).toBe(200);
    expect((await adminJson("GET", `/envs/${ENV}/segments`, undefined, viewer)).status).toBe(200);
    for (const [method, path, body] of [["PUT", seg("guarded"), { key: "guarded", include: [] }], ["DELETE", seg("guarded"), undefined], ["POST", `${seg("guarded")}/members`, { add: ["x"] }]] as const) {
      const res = await adminJson<ErrorBody>(method, path, body, viewer);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe("FORBIDDEN");
    }
    const elsewhere = await createToken("operator", ["production"]);
    expect((await adminJson("GET", seg("guarded"), undefined, elsewhere)).status).toBe(403);
    expect((await adminJson("POST", `${seg("guarded")}/members`, { add: ["x"] }, elsewhere)).status).toBe(403);
    const operator = await createToken("operator", [ENV]);
    expect((await adminJson("POST", `${seg("guarded")}/members`, { add: ["x"] }, operator)).status).toBe(200);
    expect((await adminJson("DELETE", seg("guarded"), undefined, operator)).status).toBe(200);
  });
});
