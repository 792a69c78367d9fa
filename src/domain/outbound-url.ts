/**
 * Whether the service may call a URL (rollout health probes, webhooks): outbound calls must not be
 * turned inward — at loopback, private networks, cloud metadata or the service itself. Pure: it
 * looks at the URL as `new URL()` normalizes it (so decimal, octal and hex IPv4 forms arrive as
 * dotted quads and IPv4-mapped IPv6 in hex) and never resolves names; DNS is the platform's job.
 */

export interface OutboundPolicy {
  /** Local development: http and loopback targets are allowed (never the service itself, never metadata). */
  readonly localDev: boolean;
  /** When non-empty, only these hosts may be called (`host` or `*.domain`); it narrows, never widens, the rules. */
  readonly allowHosts: readonly string[];
  /** The service's own public hostnames: never called, on any port. */
  readonly ownHostnames: readonly string[];
}

export type OutboundCheck = { ok: true } | { ok: false; reason: string };

/** The strictest policy: for when configuration is unavailable. */
export const STRICT_OUTBOUND: OutboundPolicy = { localDev: false, allowHosts: [], ownHostnames: [] };

const METADATA_NAMES = new Set([
  "metadata",
  "metadata.google.internal",
  "metadata.goog",
  "instance-data",
  "instance-data.ec2.internal",
  "metadata.azure.internal",
  "metadata.tencentyun.com",
  "metadata.platformequinix.com",
]);
const METADATA_IPS = new Set(["169.254.169.254", "169.254.170.2", "100.100.100.200", "[fd00:ec2::254]", "[fd00:ec2::23]"]);
/** Names that only mean something inside a network (RFC 6761, 6762, 8375 and common practice). */
const INTERNAL_SUFFIXES = [".local", ".internal", ".home.arpa", ".lan", ".intranet", ".corp"];

const refuse = (reason: string): OutboundCheck => ({ ok: false, reason });

/** A hostname without trailing dots (`localhost.` is `localhost`), lowercase as URL parsing leaves it. */
const bare = (hostname: string): string => hostname.replace(/\.+$/, "");

export function checkOutboundUrl(raw: string, policy: OutboundPolicy, requestOrigin?: string): OutboundCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse("is not a valid URL");
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && policy.localDev)) {
    return refuse(policy.localDev ? "only http and https URLs may be called" : "only https URLs may be called");
  }
  const host = bare(url.hostname);
  if (host === "") return refuse("has no host");
  if (METADATA_NAMES.has(host) || METADATA_IPS.has(host)) return refuse(`"${host}" is a cloud metadata address`);
  if (isOwnService(url, host, policy, requestOrigin)) return refuse(`"${host}" is this service itself`);

  const kind = hostKind(host);
  if (kind === "loopback") {
    if (!policy.localDev) return refuse(`"${host}" is a loopback address`);
  } else if (kind !== "public") {
    return refuse(`"${host}" is ${kind}`);
  }
  if (policy.allowHosts.length > 0 && !policy.allowHosts.some((allowed) => hostMatches(host, allowed))) {
    return refuse(`"${host}" is not in OUTBOUND_ALLOW_HOSTS`);
  }
  return { ok: true };
}

/** "public", "loopback", or a phrase naming why the host is internal. */
function hostKind(host: string): string {
  if (host.startsWith("[")) return ipv6Kind(host.slice(1, -1));
  const v4 = parseIpv4(host);
  if (v4) return ipv4Kind(v4);
  if (host === "localhost" || host.endsWith(".localhost")) return "loopback";
  if (!host.includes(".")) return "a single-label (intranet) name";
  if (INTERNAL_SUFFIXES.some((s) => host.endsWith(s))) return "an internal network name";
  return "public";
}

/** URL parsing has already turned every IPv4 form into a dotted quad. */
function parseIpv4(host: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const octets = m.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets : null;
}

function ipv4Kind([a = 0, b = 0, c = 0]: readonly number[]): string {
  if (a === 127) return "loopback";
  if (a === 0) return "an unspecified (0.0.0.0/8) address";
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return "a private address";
  if (a === 169 && b === 254) return "a link-local address";
  if (a === 100 && b >= 64 && b <= 127) return "a carrier-grade NAT (100.64/10) address";
  if (a === 192 && b === 0 && c === 0) return "an IETF protocol (192.0.0/24) address";
  if (a === 198 && (b === 18 || b === 19)) return "a benchmarking (198.18/15) address";
  if (a >= 224) return "a multicast, reserved or broadcast address";
  return "public";
}

/** Eight 16-bit groups, or null. Accepts `::` and a trailing dotted quad. */
export function parseIpv6(text: string): number[] | null {
  let s = text.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const v4 = parseIpv4(dotted[1] as string);
    if (!v4) return null;
    s = `${s.slice(0, dotted.index)}${(((v4[0] ?? 0) << 8) | (v4[1] ?? 0)).toString(16)}:${(((v4[2] ?? 0) << 8) | (v4[3] ?? 0)).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const groups = (part: string | undefined) => (part === undefined || part === "" ? [] : part.split(":"));
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill("0"), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return all.map((g) => parseInt(g, 16));
}

function ipv6Kind(text: string): string {
  const g = parseIpv6(text);
  if (!g) return "not a valid IPv6 address";
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const firstFive = g0 | g1 | g2 | g3 | g4;
  if (firstFive === 0 && g5 === 0 && g6 === 0 && g7 === 1) return "loopback";
  if (firstFive === 0 && g5 === 0 && g6 === 0 && g7 === 0) return "the unspecified address";
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible) reach IPv4 through the IPv6 stack.
  if (firstFive === 0 && (g5 === 0xffff || g5 === 0)) return "an IPv4-mapped or IPv4-compatible address";
  if (g0 === 0x64 && g1 === 0xff9b) return "a NAT64 (64:ff9b::/96) address";
  if ((g0 & 0xfe00) === 0xfc00) return "a unique local (fc00::/7) address";
  if ((g0 & 0xff80) === 0xfe80) return "a link-local or site-local address";
  if ((g0 & 0xff00) === 0xff00) return "a multicast address";
  // 6to4 embeds an IPv4 address in bits 16–47: refuse it when that address is internal.
  if (g0 === 0x2002) return ipv4Kind([g1 >> 8, g1 & 0xff, g2 >> 8]) === "public" ? "public" : "a 6to4 address of an internal IPv4 address";
  return "public";
}

/** The configured public hostnames on any port; the request's own origin on its port (local dev) or any port. */
function isOwnService(url: URL, host: string, policy: OutboundPolicy, requestOrigin: string | undefined): boolean {
  if (policy.ownHostnames.some((own) => bare(own.toLowerCase()) === host)) return true;
  if (requestOrigin === undefined) return false;
  let origin: URL;
  try {
    origin = new URL(requestOrigin);
  } catch {
    return false;
  }
  const originHost = bare(origin.hostname);
  // In production the service answers on its standard ports only; its hostname is enough.
  if (!policy.localDev) return originHost === host;
  // On one machine other servers share the loopback host: only the service's own port is itself.
  const port = (u: URL) => u.port || (u.protocol === "https:" ? "443" : "80");
  const sameHost = originHost === host || (hostKind(originHost) === "loopback" && hostKind(host) === "loopback");
  return sameHost && port(origin) === port(url);
}

function hostMatches(host: string, allowed: string): boolean {
  const a = bare(allowed.toLowerCase());
  return a.startsWith("*.") ? host.endsWith(a.slice(1)) : host === a;
}

/**
 * A URL without its secrets, for principals who may read a rollout but not change it: userinfo
 * and the query are replaced by `***`, the fragment dropped.
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "***";
  }
  const userinfo = url.username !== "" || url.password !== "" ? "***@" : "";
  const query = url.search !== "" ? "?***" : "";
  return `${url.protocol}//${userinfo}${url.host}${url.pathname}${query}`;
}
