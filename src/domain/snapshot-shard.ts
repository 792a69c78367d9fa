/**
 * One shard of an environment's snapshot (docs/architecture.md, "KV snapshot"): the flags whose
 * key hashes to it, in a text form the edge can index without parsing and parse one flag at a
 * time, so a request pays for the flag it asks for and not for its neighbours.
 *
 * Text form: one line per flag, sorted by key: `<key>\t<0|1>\t<flag JSON>` (1 = clientSide). Flag
 * keys cannot hold a tab or a newline (FLAG_KEY_PATTERN) and JSON.stringify never writes one raw,
 * so the two tabs and the newline are unambiguous. Indexing a shard is one scan for newlines;
 * a flag is parsed and compiled the first time it is asked for, then kept.
 *
 * Assignment: a key's shard is the top `bits` bits of murmur3(key, SHARD_SEED), so it is computable
 * from the key alone (no index), and doubling the shard count splits every shard in two.
 */
import { compileFlag, type CompiledFlag } from "./evaluate.js";
import type { Flag } from "./flag.js";
import { murmur3 } from "./murmur3.js";

/** Decorrelates shard assignment from bucketing (which hashes `salt:value` with seed 0). */
export const SHARD_SEED = 0x5eed_f1a9;
/**
 * A shard's target size. Small, so a small working set spread over a large environment holds
 * little text (100 flags over 100,000 hold ~100 shards: ~6 MiB at 64 KiB, ~25 MiB at 256 KiB,
 * measured in docs/architecture.md, "KV snapshot"), and loading one after a change is cheap.
 */
export const SHARD_TARGET_BYTES = 64 * 1024;
/** At most 2^10 = 1,024 shards: bounds the manifest (~140 KiB) and the writes of a full publish. */
export const MAX_SHARD_BITS = 10;

/** How many shard bits a snapshot of `bytes` (its flags' stored UTF-8 bytes) gets: 0 = one shard. */
export function shardBitsFor(bytes: number): number {
  let bits = 0;
  while (bits < MAX_SHARD_BITS && bytes > SHARD_TARGET_BYTES * 2 ** bits) bits++;
  return bits;
}

/** The shard (0 … 2^bits − 1) holding `key`. */
export function shardOf(key: string, bits: number): number {
  return bits === 0 ? 0 : murmur3(key, SHARD_SEED) >>> (32 - bits);
}

const byKey = (a: Flag, b: Flag): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** One line of a shard (without its newline). */
export function shardLine(flag: Flag): string {
  return lineOf(flag.key, flag.clientSide, JSON.stringify(flag));
}

/** One line from a flag's key, visibility and JSON text (the Durable Object passes stored bodies as they are). */
export function lineOf(key: string, clientSide: boolean, json: string): string {
  return `${key}\t${clientSide ? 1 : 0}\t${json}`;
}

/** The text of a shard holding `flags` (any order; they are sorted by key). */
export function encodeShard(flags: readonly Flag[]): string {
  return [...flags].sort(byKey).map(shardLine).join("\n");
}

/** Splits flags into 2^bits shards' texts (index = shard number). */
export function encodeShards(flags: readonly Flag[], bits: number): string[] {
  const groups: Flag[][] = Array.from({ length: 2 ** bits }, () => []);
  for (const flag of flags) (groups[shardOf(flag.key, bits)] as Flag[]).push(flag);
  return groups.map(encodeShard);
}

/** What a client-visible fingerprint covers: the key and per-flag version of each client-side flag. */
export function clientPrint(flags: readonly Pick<Flag, "key" | "version" | "clientSide">[]): string {
  return flags.filter((f) => f.clientSide).map((f) => `${f.key}@${f.version}`).sort().join(",");
}

/**
 * A loaded shard: its sorted keys, and each flag parsed and compiled on first use (with its
 * `FLAG_OVERRIDES` variant applied by `compile`).
 */
export class CompiledShard {
  private readonly compiled: (CompiledFlag | undefined)[];
  /** Sorted keys. */
  readonly keys: readonly string[];
  /** Roughly what this shard holds on the heap before any flag is compiled (bytes). */
  readonly baseBytes: number;
  private readonly clientSide: Uint8Array;
  private readonly source: (i: number) => Flag;
  private readonly compile: (flag: Flag) => CompiledFlag;
  private readonly lineBytes: (i: number) => number;

  // Plain fields, no parameter properties: flagctl runs this file with Node's type stripping.
  private constructor(
    keys: readonly string[],
    clientSide: Uint8Array,
    source: (i: number) => Flag,
    compile: (flag: Flag) => CompiledFlag,
    baseBytes: number,
    lineBytes: (i: number) => number,
  ) {
    this.keys = keys;
    this.clientSide = clientSide;
    this.source = source;
    this.compile = compile;
    this.baseBytes = baseBytes;
    this.lineBytes = lineBytes;
    this.compiled = new Array<CompiledFlag | undefined>(keys.length);
  }

  /** Bytes of the compiled flags so far (an estimate: a compiled flag takes ~6× its JSON). */
  compiledBytes = 0;

  /** Index a shard's text; nothing is parsed until a flag is asked for. */
  static fromText(text: string, compile: (flag: Flag) => CompiledFlag = compileFlag): CompiledShard {
    const keys: string[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    const client: number[] = [];
    let at = 0;
    while (at < text.length) {
      let end = text.indexOf("\n", at);
      if (end < 0) end = text.length;
      const tab = text.indexOf("\t", at);
      if (tab < 0 || tab > end) throw new Error("malformed snapshot shard line");
      keys.push(text.slice(at, tab));
      client.push(text.charCodeAt(tab + 1) === 49 /* "1" */ ? 1 : 0);
      starts.push(tab + 3);
      ends.push(end);
      at = end + 1;
    }
    const startOf = Int32Array.from(starts);
    const endOf = Int32Array.from(ends);
    const source = (i: number): Flag => JSON.parse(text.slice(startOf[i], endOf[i])) as Flag;
    return new CompiledShard(keys, Uint8Array.from(client), source, compile, text.length + keys.length * 48, (i) => (endOf[i] as number) - (startOf[i] as number));
  }

  /** A shard of already parsed flags (an inline manifest, or a whole snapshot compiled in memory). */
  static fromFlags(flags: readonly Flag[], compile: (flag: Flag) => CompiledFlag = compileFlag): CompiledShard {
    const sorted = [...flags].sort(byKey);
    const client = Uint8Array.from(sorted, (f) => (f.clientSide ? 1 : 0));
    return new CompiledShard(sorted.map((f) => f.key), client, (i) => sorted[i] as Flag, compile, sorted.length * 64, () => 512);
  }

  get size(): number {
    return this.keys.length;
  }

  /** The position of `key`, or −1 (binary search over the sorted keys). */
  indexOf(key: string): number {
    let lo = 0;
    let hi = this.keys.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.keys[mid] as string;
      if (k === key) return mid;
      if (k < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  isClientSide(i: number): boolean {
    return this.clientSide[i] === 1;
  }

  /** The compiled flag at position `i` (parsed and compiled on first use, then kept). */
  at(i: number): CompiledFlag {
    let compiled = this.compiled[i];
    if (compiled === undefined) {
      compiled = this.compile(this.source(i));
      this.compiled[i] = compiled;
      this.compiledBytes += this.lineBytes(i) * 6;
    }
    return compiled;
  }

  /** The flag named `key`, compiled, or undefined when this shard does not hold it. */
  get(key: string): CompiledFlag | undefined {
    const i = this.indexOf(key);
    return i < 0 ? undefined : this.at(i);
  }

  /** What this shard costs on the heap now (an estimate, for the edge's per-environment budget). */
  heapBytes(): number {
    return this.baseBytes + this.compiledBytes;
  }
}
