/**
 * The Durable Object's side of the sharded snapshot (docs/architecture.md, "KV snapshot"): which
 * flag is in which shard, each shard's text and hash, rebuilt incrementally. A new version
 * re-reads only the shards whose flags changed (a key added, archived, or its per-flag version
 * grown), so a one-flag change re-encodes and re-hashes one shard, whatever the environment's size.
 *
 * Memory: the keys and per-flag versions of every live flag, and the text of a shard only until
 * the publisher has written it (`written`); a later request for it (an edge whose KV lags) is
 * rebuilt from storage.
 */
import { sha256Hex } from "../crypto.js";
import type { Flag } from "../domain/flag.js";
import { clientPrint, encodeShard, shardBitsFor, shardOf } from "../domain/snapshot-shard.js";
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

/** More than this share of shards changed: one scan of the table beats per-key reads. */
const FULL_REBUILD_SHARE = 0.25;

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
    const dirty = new Set<number>();
    const added = new Map<number, string[]>();
    if (bits === this.bits) {
      for (const [key, version] of versions) {
        const before = this.versions.get(key);
        if (before === version) continue;
        const index = shardOf(key, bits);
        dirty.add(index);
        if (before === undefined) added.set(index, [...(added.get(index) ?? []), key]);
      }
      for (const key of this.versions.keys()) if (!versions.has(key)) dirty.add(shardOf(key, bits));
    }
    if (bits !== this.bits || dirty.size > 2 ** bits * FULL_REBUILD_SHARE) {
      this.rebuildAll(bits, storage.listFlags());
    } else {
      for (const index of dirty) {
        const keys = [...(this.shards[index]?.keys ?? []).filter((key) => versions.has(key)), ...(added.get(index) ?? [])];
        const flags = keys.map((key) => storage.getFlag(key)).filter((f): f is Flag => f !== undefined);
        this.shards[index] = shardState(flags, bits === 0);
      }
    }
    this.versions = versions;
    const shards = await Promise.all(this.shards.map((s) => s.ref));
    return { shardBits: bits, shards, inline: bits === 0 ? (this.shards[0]?.flags ?? []) : undefined };
  }

  private rebuildAll(bits: number, flags: readonly Flag[]): void {
    const groups: Flag[][] = Array.from({ length: 2 ** bits }, () => []);
    for (const flag of flags) (groups[shardOf(flag.key, bits)] as Flag[]).push(flag);
    this.bits = bits;
    this.shards = groups.map((group) => shardState(group, bits === 0));
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
    const text = encodeShard(state.keys.map((key) => this.storage.getFlag(key)).filter((f): f is Flag => f !== undefined));
    return (await sha256Hex(text)) === hash ? text : undefined;
  }

  /** The text to write for shard `index`, if it is still held. */
  pendingText(index: number): string | undefined {
    return this.shards[index]?.text;
  }
}

function shardState(flags: readonly Flag[], keepFlags: boolean): ShardState {
  const text = encodeShard(flags);
  const keys = flags.map((f) => f.key).sort();
  const ref = (async (): Promise<ShardRef> => ({
    hash: await sha256Hex(text),
    client: (await sha256Hex(clientPrint(flags))).slice(0, 24),
    flags: flags.length,
    bytes: new TextEncoder().encode(text).byteLength,
  }))();
  return { keys, ref, text, flags: keepFlags ? flags : undefined };
}
