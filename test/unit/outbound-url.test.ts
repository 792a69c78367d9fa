/**
 * The outbound URL policy (src/domain/outbound-url.ts): every class of inward address is refused,
 * in every spelling URL parsing normalizes; public https is allowed; local development opens
 * loopback and http only; the allow-list narrows; redaction hides userinfo and query.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkOutboundUrl, parseIpv6, redactUrl, type OutboundPolicy } from "../../src/domain/outbound-url.js";

const prod: OutboundPolicy = { localDev: false, allowHosts: [], ownHostnames: ["flags.example.com"] };
const dev: OutboundPolicy = { ...prod, localDev: true };
const ok = (url: string, policy = prod, origin?: string) => checkOutboundUrl(url, policy, origin).ok;

describe("checkOutboundUrl", () => {
  it("allows public https URLs", () => {
    for (const url of ["https://hooks.slack.com/services/T/B/x", "https://status.example.org:8443/health?x=1", "https://8.8.8.8/", "https://[2606:4700::1111]/", "https://1.1.1.1./"]) {
      expect(ok(url), url).toBe(true);
    }
  });

  it("refuses non-https outside local development, and non-http(s) always", () => {
    expect(checkOutboundUrl("http://hooks.example.org/x", prod)).toEqual({ ok: false, reason: "only https URLs may be called" });
    for (const url of ["ftp://example.org/", "file:///etc/passwd", "gopher://example.org/", "javascript:alert(1)", "not a url"]) {
      expect(ok(url), url).toBe(false);
      expect(ok(url, dev), url).toBe(false);
    }
    expect(ok("http://hooks.example.org/x", dev)).toBe(true);
  });

  const refusedEverywhere = [
    // private, link-local, CGNAT, unspecified, broadcast, multicast
    "https://10.0.0.1/", "https://172.16.0.1/", "https://172.31.255.255/", "https://192.168.1.1/",
    "https://169.254.1.1/", "https://100.64.0.1/", "https://100.127.255.255/", "https://0.0.0.0/", "https://0.1.2.3/",
    "https://255.255.255.255/", "https://224.0.0.1/", "https://198.18.0.1/",
    // IPv6: unspecified, ULA, link-local, mapped (dotted and hex), compatible, NAT64, 6to4 of private, multicast
    "https://[::]/", "https://[fc00::1]/", "https://[fd12:3456::1]/", "https://[fe80::1]/", "https://[febf::1]/",
    "https://[::ffff:127.0.0.1]/", "https://[::ffff:7f00:1]/", "https://[::ffff:10.0.0.1]/", "https://[::ffff:8.8.8.8]/",
    "https://[::127.0.0.1]/", "https://[64:ff9b::a00:1]/", "https://[2002:a00:1::]/", "https://[ff02::1]/",
    // names
    "https://printer.local/", "https://db.internal/", "https://router.home.arpa/", "https://intranet/",
    // cloud metadata
    "https://169.254.169.254/latest/meta-data/", "https://metadata.google.internal/computeMetadata/v1/", "https://metadata/",
    "https://instance-data/", "https://[fd00:ec2::254]/", "https://100.100.100.200/", "https://metadata.google.internal./",
    // the service itself
    "https://flags.example.com/admin/v1/tokens", "https://FLAGS.example.com:8443/", "https://flags.example.com./",
  ];
  it.each(refusedEverywhere)("refuses %s, also in local development", (url) => {
    expect(ok(url)).toBe(false);
    expect(ok(url, dev)).toBe(false);
    expect(ok(url.replace("https:", "http:"), dev)).toBe(false);
  });

  const loopback = ["https://127.0.0.1/", "https://127.1.2.3:9000/", "https://[::1]/", "https://localhost/", "https://LOCALHOST./", "https://api.localhost/"];
  it.each(loopback)("refuses loopback %s in production, allows it in local development", (url) => {
    expect(checkOutboundUrl(url, prod)).toMatchObject({ ok: false, reason: expect.stringMatching(/loopback/) });
    expect(ok(url, dev)).toBe(true);
  });

  it("catches the decimal, octal, hex and short IPv4 forms URL parsing normalizes", () => {
    for (const url of ["https://2130706433/", "https://0x7f000001/", "https://0177.0.0.1/", "https://0x7f.1/", "https://127.1/", "https://017700000001/"]) {
      expect(new URL(url).hostname, url).toBe("127.0.0.1");
      expect(ok(url), url).toBe(false);
    }
    for (const url of ["https://167772161/", "https://0xa9.0xfe.0xa9.0xfe/", "https://0251.0376.0251.0376/"]) {
      expect(ok(url), url).toBe(false);
      expect(ok(url, dev), url).toBe(false);
    }
  });

  it("refuses the request's own origin: any port in production, its own port in local development", () => {
    expect(ok("https://edgeflags.acme.workers.dev/health", prod, "https://edgeflags.acme.workers.dev")).toBe(false);
    expect(ok("https://edgeflags.acme.workers.dev:8443/", prod, "https://edgeflags.acme.workers.dev")).toBe(false);
    expect(ok("https://other.acme.workers.dev/", prod, "https://edgeflags.acme.workers.dev")).toBe(true);
    // On one machine the service is its port on any loopback name; other local servers are fine.
    for (const self of ["http://localhost:8787/admin/v1/tokens", "http://127.0.0.1:8787/", "http://[::1]:8787/", "http://api.localhost:8787/"]) {
      expect(ok(self, dev, "http://localhost:8787"), self).toBe(false);
    }
    expect(ok("http://localhost:9999/hook", dev, "http://localhost:8787")).toBe(true);
    expect(ok("http://127.0.0.1:9999/hook", dev, "http://127.0.0.1:8787")).toBe(true);
  });

  it("with an allow-list, only the listed hosts (which never unlock internal addresses)", () => {
    const listed: OutboundPolicy = { ...prod, allowHosts: ["hooks.slack.com", "*.status.example.org", "10.0.0.1"] };
    expect(ok("https://hooks.slack.com/x", listed)).toBe(true);
    expect(ok("https://eu.status.example.org/x", listed)).toBe(true);
    expect(ok("https://example.org/x", listed)).toBe(false);
    expect(checkOutboundUrl("https://hooks.example.net/x", listed)).toEqual({ ok: false, reason: '"hooks.example.net" is not in OUTBOUND_ALLOW_HOSTS' });
    expect(ok("https://10.0.0.1/", listed)).toBe(false);
  });

  it("property: every IPv4 literal in a refused range is refused, in dotted, decimal and hex spelling", () => {
    const octet = fc.integer({ min: 0, max: 255 });
    const internal = fc.oneof(
      fc.tuple(fc.constant(10), octet, octet, octet),
      fc.tuple(fc.constant(127), octet, octet, octet),
      fc.tuple(fc.constant(0), octet, octet, octet),
      fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), octet, octet),
      fc.tuple(fc.constant(192), fc.constant(168), octet, octet),
      fc.tuple(fc.constant(169), fc.constant(254), octet, octet),
      fc.tuple(fc.constant(100), fc.integer({ min: 64, max: 127 }), octet, octet),
      fc.tuple(fc.integer({ min: 224, max: 255 }), octet, octet, octet),
    );
    fc.assert(
      fc.property(internal, fc.constantFrom("dotted", "decimal", "hex", "mapped"), ([a, b, c, d], form) => {
        const n = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
        const host =
          form === "dotted" ? `${a}.${b}.${c}.${d}` : form === "decimal" ? String(n) : form === "hex" ? `0x${n.toString(16)}` : `[::ffff:${a}.${b}.${c}.${d}]`;
        expect(ok(`https://${host}/x`)).toBe(false);
      }),
    );
  });

  it("property: public-looking names under refused suffixes are refused; the same names under a public suffix are allowed", () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
    fc.assert(
      fc.property(label, fc.constantFrom(".local", ".internal", ".localhost", ".home.arpa"), (name, suffix) => {
        expect(ok(`https://${name}${suffix}/`)).toBe(false);
        expect(ok(`https://${name}.example.com/`)).toBe(true);
      }),
    );
  });

  it("property: a URL refused in production under local development is refused only for http or loopback reasons", () => {
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(fc.tuple(octet, octet, octet, octet), fc.constantFrom("http", "https"), ([a, b, c, d], scheme) => {
        const url = `${scheme}://${a}.${b}.${c}.${d}/`;
        if (ok(url, dev) && !ok(url, prod)) expect(a === 127 || scheme === "http").toBe(true);
        // Local development never widens to anything but loopback.
        if (ok(url, dev)) expect(ok(`https://${a}.${b}.${c}.${d}/`, { ...prod, localDev: a === 127 })).toBe(true);
      }),
    );
  });
});

describe("parseIpv6", () => {
  it("expands :: and a trailing dotted quad", () => {
    expect(parseIpv6("::1")).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6("::ffff:127.0.0.1")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(parseIpv6("2001:db8::")).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]);
    for (const bad of ["1::2::3", "1:2:3:4:5:6:7", "12345::", "::g"]) expect(parseIpv6(bad), bad).toBeNull();
  });
});

describe("redactUrl", () => {
  it("hides userinfo and the query, keeps scheme, host, port and path", () => {
    expect(redactUrl("https://user:secret@health.example.org:8443/ok?token=abc#frag")).toBe("https://***@health.example.org:8443/ok?***");
    expect(redactUrl("https://health.example.org/ok")).toBe("https://health.example.org/ok");
  });

  it("property: no part of the userinfo or query survives", () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{12,20}$/);
    fc.assert(
      fc.property(secret, secret, (user, token) => {
        const shown = redactUrl(`https://${user}:${token}@health.example.org/ok?key=${token}`);
        expect(shown).not.toContain(user);
        expect(shown).not.toContain(token);
        expect(shown.startsWith("https://***@health.example.org/ok")).toBe(true);
      }),
    );
  });
});
