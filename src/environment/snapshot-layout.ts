/**
 * The Durable Object's side of the sharded snapshot (docs/architecture.md, "KV snapshot"): which
 * flag is in which shard, each shard's text and hash, rebuilt incrementally. A new version
 * re-reads only the shards whose flags changed (a key added, archived, or its per-flag version
 * grown), so a one-flag change re-encodes and re-hashes one shard, whatever the environment's size.
 *
 * Shard lines carry each flag's stored JSON as it is (validated when it was written; parsed here
 * only for its visibility and version), so a full rebuild of 100,000 flags costs a table scan and
 * one JSON.parse per flag, not a schema validation per flag.
 *
 * Memory: the keys and per-flag versions of every live flag, and the text of a shard only until
 * the publisher has written it (`written`; a full rebuild keeps at most `KEEP_TEXT_BYTES`); a
 * later request for a shard (an edge whose KV lags) is rebuilt from storage.
 */
import { sha256Hex } from "../crypto.js";
import type { Flag } from "../domain/flag.js";
import { clientPrint, lineOf, shardBitsFor, shardOf } from "../domain/snapshot-shard.js";
import type { ShardRef } from "../domain/snapshot.js";
import type { EnvironmentStorage } from "./storage.js";

interface ShardState {
  /** Sorted keys of the shard's flags. */
  readonly keys: readonly string[];
  readonly ref: Promise<ShardRef>;
  /** The text, until it is known to be in KV. */
  text: string | undefined;
  /** The parsed flags, kept only for a one-shard layout (they are inlined in the manifest). */
  readonly flags: readonly Flag[] | undefined;
}

export interface LayoutBuild {
  readonly shardBits: number;
  readonly shards: readonly ShardRef[];
  /** The flags, when the snapshot is one shard that the manifest carries inline. */
  readonly inline: readonly Flag[] | undefined;
}

/** One stored flag: its key and JSON as stored. */
interface Row {
  readonly key: string;
  readonly body: string;
}

/** Shard texts a full rebuild keeps for the publisher; beyond, a shard is re-read from storage when written. */
const KEEP_TEXT_BYTES = 16 * 1024 * 1024;

export class SnapshotLayout {
  private bits = -1;
  private versions = new Map<string, number>();
  private shards: ShardState[] = [];

  constructor(private readonly storage: EnvironmentStorage) {}

  /**
   * The layout of the stored flags now. Synchronous up to the hashing, so it reflects one
   * consistent state of storage; shards that did not change keep their (already hashed) state.
   */
  async build(): Promise<LayoutBuild> {
    const { storage } = this;
    const versions = storage.liveFlagVersions();
    const bits = shardBitsFor(storage.flagUsage().bytes);
    if (bits !== this.bits) {
      this.rebuildAll(bits);
    } else {
      const dirty = new Set<number>();
      const added = new Map<number, string[]>();
      for (const [key, version] of versions) {
        const before = this.versions.get(key);
        if (before === version) continue;
        const index = shardOf(key, bits);
        dirty.add(index);
        if (before === undefined) added.set(index, [...(added.get(index) ?? []), key]);
      }
      for (const key of this.versions.keys()) if (!versions.has(key)) dirty.add(shardOf(key, bits));
      for (const index of dirty) {
        const keys = [...(this.shards[index]?.keys ?? []).filter((key) => versions.has(key)), ...(added.get(index) ?? [])];
        this.shards[index] = shardState(this.read(keys), bits === 0, true);
      }
    }
    this.versions = versions;
    const shards = await Promise.all(this.shards.map((s) => s.ref));
    return { shardBits: bits, shards, inline: bits === 0 ? (this.shards[0]?.flags ?? []) : undefined };
  }

  /**
   * Every shard anew (a new shard count, or the first build of this Durable Object's life): one
   * scan of the table, then one shard at a time.
   */
  private rebuildAll(bits: number): void {
    const groups: Row[][] = Array.from({ length: 2 ** bits }, () => []);
    for (const row of this.storage.liveFlagBodies()) (groups[shardOf(row.key, bits)] as Row[]).push({ key: row.key, body: row.body });
    let kept = 0;
    this.bits = bits;
    this.shards = groups.map((group) => {
      const state = shardState(group, bits === 0, kept <= KEEP_TEXT_BYTES);
      kept += state.text?.length ?? 0;
      return state;
    });
  }

  private read(keys: readonly string[]): Row[] {
    const rows: Row[] = [];
    for (const key of keys) {
      const body = this.storage.liveFlagBody(key);
      if (body !== undefined) rows.push({ key, body });
    }
    return rows;
  }

  /** The publisher wrote this shard to KV: its text need not be kept. */
  async written(index: number, hash: string): Promise<void> {
    const state = this.shards[index];
    if (state && (await state.ref).hash === hash) state.text = undefined;
  }

  /**
   * The text of shard `index` of the current layout if its hash is `hash` (for an edge whose KV
   * does not have it yet), else undefined. Rebuilt from storage when it was already written.
   */
  async text(index: number, hash: string): Promise<string | undefined> {
    const state = this.shards[index];
    if (!state || (await state.ref).hash !== hash) return undefined;
    if (state.text !== undefined) return state.text;
    const text = encode(this.read(state.keys)).text;
    return (await sha256Hex(text)) === hash ? text : undefined;
  }

  /** The text to write for shard `index`, if it is still held. */
  pendingText(index: number): string | undefined {
    return this.shards[index]?.text;
  }
}

/** A shard's text from stored rows (sorted by key), and the flags parsed on the way. */
function encode(rows: readonly Row[]): { text: string; flags: Flag[] } {
  const sorted = [...rows].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const flags = sorted.map((row) => JSON.parse(row.body) as Flag);
  const text = sorted.map((row, i) => lineOf(row.key, (flags[i] as Flag).clientSide === true, row.body)).join("\n");
  return { text, flags };
}

function shardState(rows: readonly Row[], keepFlags: boolean, keepText: boolean): ShardState {
  const { text, flags } = encode(rows);
  const keys = flags.map((f) => f.key);
  // Only what the client fingerprint needs survives the hashing: not the parsed flags.
  const print = clientPrint(flags);
  const ref = (async (): Promise<ShardRef> => ({
    hash: await sha256Hex(text),
    client: (await sha256Hex(print)).slice(0, 24),
    flags: keys.length,
    bytes: new TextEncoder().encode(text).byteLength,
  }))();
  return { keys, ref, text: keepText ? text : undefined, flags: keepFlags ? flags : undefined };
}
