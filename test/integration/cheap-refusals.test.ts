/**
 * Refusals cost nothing: a missing or made-up credential is refused before any body is read or
 * parsed, and a strongly consistent read with a key the edge does not know costs no Durable Object
 * request (counted by the snapshot cache's seam) once this isolate heard from that object recently.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { clearSnapshotCache, durableObjectSnapshotReads } from "../../src/edge/snapshot-cache.js";
import { bearer, call, createKey, postJson, published } from "./helpers.js";

const ENV = "staging";
const DEEP = `${"[".repeat(40)}${"]".repeat(40)}`;
let made = 0;
/** A well-formed server key for ENV that no one issued. */
const fakeKey = (): string => `efs_${ENV}_${`fake${made++}`.padEnd(40, "x")}`;

let serverKey: string;
beforeAll(async () => {
  serverKey = (await createKey(ENV, "server", "cheap-refusals")).key;
  await published(ENV);
});

describe("credentials before body work", () => {
  it("an admin PUT without a token and a 40-deep body → 401, not 422", async () => {
    const res = await call(`/admin/v1/envs/${ENV}/flags/deep`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: DEEP });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
  });

  it("POST /v1/metrics without a credential and a body that is not JSON → 401, not 400", async () => {
    for (const body of ["not json", DEEP]) {
      const res = await call("/v1/metrics", { method: "POST", headers: { "Content-Type": "application/json" }, body });
      expect(res.status, body).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    }
    // A made-up key, or a wrong content type, is still refused as a credential first.
    const fake = await call("/v1/metrics", { method: "POST", headers: { ...bearer(fakeKey()), "Content-Type": "text/plain" }, body: "not json" });
    expect(fake.status).toBe(401);
    // With a real key the body is read: then (and only then) the JSON error.
    const parsed = await call("/v1/metrics", { method: "POST", headers: { ...bearer(serverKey), "Content-Type": "application/json" }, body: "not json" });
    expect(parsed.status).toBe(400);
    expect(await parsed.json()).toMatchObject({ error: { code: "INVALID_JSON" } });
  });
});

describe("?consistency=strong with an unknown key", () => {
  const strongReads = (key: string) => [
    postJson(`/ofrep/v1/evaluate/flags/maintenance_mode?consistency=strong`, { context: {} }, bearer(key)),
    postJson(`/ofrep/v1/evaluate/flags?consistency=strong`, { context: {} }, bearer(key)),
    call(`/v1/flags?consistency=strong`, { headers: bearer(key) }),
  ];

  it("costs no Durable Object request once the isolate heard from the object (a known key's strong read)", async () => {
    const known = await postJson(`/ofrep/v1/evaluate/flags/maintenance_mode?consistency=strong`, { context: {} }, bearer(serverKey));
    expect(known.status).toBe(200);
    const before = durableObjectSnapshotReads();
    for (let i = 0; i < 5; i++) {
      for (const res of await Promise.all(strongReads(fakeKey()))) expect(res.status).toBe(401);
    }
    expect(durableObjectSnapshotReads()).toBe(before);
    // The known key still gets its strongly consistent read from the Durable Object.
    const again = await postJson(`/ofrep/v1/evaluate/flags/maintenance_mode?consistency=strong`, { context: {} }, bearer(serverKey));
    expect(again.status).toBe(200);
    expect(durableObjectSnapshotReads()).toBe(before + 1);
  });

  it("many distinct made-up keys on a cold isolate cost one Durable Object request in all", async () => {
    clearSnapshotCache();
    const before = durableObjectSnapshotReads();
    for (let i = 0; i < 10; i++) {
      const res = await postJson(`/ofrep/v1/evaluate/flags?consistency=strong`, { context: {} }, bearer(fakeKey()));
      expect(res.status).toBe(401);
    }
    // One lookup for "maybe newer than the edge snapshot", then refused from the cache.
    expect(durableObjectSnapshotReads() - before).toBe(1);
  });
});
