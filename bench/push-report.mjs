// Part 4 (push) report: the results tables, and the "Push" section of docs/benchmarks.md, which
// lives between two markers so a run of part 4 alone replaces only it and a full run keeps it.

export const SECTION_BEGIN = "<!-- push:begin (bench/push-report.mjs) -->";
export const SECTION_END = "<!-- push:end -->";

const ms = (x) => (x === null || x === undefined || Number.isNaN(x) ? "—" : `${Math.round(x)}`);
const mib = (bytes) => (bytes === undefined ? "—" : (bytes / 1048576).toFixed(1));
const kib = (bytes) => (bytes === undefined ? "—" : (bytes / 1024).toFixed(1));
const yes = (ok) => (ok === null ? "—" : ok ? "**yes**" : "**no**");
const table = (head, rows) =>
  [`| ${head.join(" | ")} |`, `| ${head.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

/**
 * The "before" figure, measured by hand on this machine before the server advertised event streams
 * (`node bench/push.mjs --parts browser --poll-ms 1000 --flips 10`): with default options the page
 * saw no flip at all, and with polling forced to 1 s it waited for the isolate's 5-s snapshot refresh.
 */
export const BEFORE_PUSH = { flips: 10, misses: 0, p50: 4549, p99: 5536, max: 5536 };

/** The goals of the push issue, against a run's figures (null: not measured). */
function goals(data) {
  const sse = data?.sse;
  const browser = data?.browser;
  const pushBrowser = browser && !browser.mode.startsWith("polling") ? browser : undefined;
  return [
    ["Browser, stock provider, default options: max", "≤ 1000 ms", pushBrowser ? `${ms(pushBrowser.max)} ms, ${pushBrowser.misses} missed` : "—", pushBrowser ? pushBrowser.max !== null && pushBrowser.max <= 1000 && pushBrowser.misses === 0 : null],
    ["SSE clients: p50", "≤ 150 ms", sse ? `${ms(sse.p50)} ms` : "—", sse ? sse.p50 !== null && sse.p50 <= 150 : null],
    ["SSE clients: max (all clients, all flips)", "≤ 1000 ms", sse ? `${ms(sse.max)} ms` : "—", sse ? sse.max !== null && sse.max <= 1000 : null],
    ["SSE clients: misses", "0", sse ? String(sse.misses) : "—", sse ? sse.misses === 0 : null],
    ["Re-fetch right after an event sees the new value", "all", sse ? `${sse.refetch.total - sse.refetch.stale} / ${sse.refetch.total}` : "—", sse ? sse.refetch.total > 0 && sse.refetch.stale === 0 : null],
    ["Idle: events with nothing changing", "0", data?.idle ? String(data.idle.events) : "—", data?.idle ? data.idle.events === 0 : null],
  ];
}

/** The tables (printed by the bench and put into the doc). `data` null: the empty template. */
export function renderPushResults(data) {
  const s = data?.settings;
  const b = data?.browser;
  const sse = data?.sse;
  const idle = data?.idle;
  const lines = [];
  lines.push(
    data
      ? `Run: ${data.startedAt} · flips per scenario ${s.flips} · SSE clients ${s.clients} (connected ${data.connected ?? "—"}) · re-fetch sample ${s.sample} per event · idle window ${s.idleS} s${data.error ? ` · **failed: ${data.error}**` : ""}`
      : "Not run yet: the template below is filled in by `npm run bench -- push`.",
  );
  lines.push("", "#### Goals", "", table(["Goal", "Target", "Result", "Met"], goals(data).map(([g, t, r, ok]) => [g, t, r, yes(ok)])));
  lines.push(
    "",
    "#### Time to effect (ms from sending the admin kill-switch call)",
    "",
    table(
      ["Client", "flips", "samples", "p50", "p99", "max", "misses"],
      [
        [`(a) 1 browser, stock provider, ${b?.mode ?? "default options"}`, b ? b.flips : "—", b ? b.n : "—", ms(b?.p50), ms(b?.p99), ms(b?.max), b ? b.misses : "—"],
        [`(b) ${s?.clients ?? 1000} SSE clients, event received`, sse ? sse.flips : "—", sse ? sse.n : "—", ms(sse?.p50), ms(sse?.p99), ms(sse?.max), sse ? sse.misses : "—"],
        ["(b) … slowest client per flip", sse ? sse.flips : "—", sse ? sse.perFlipMax.n : "—", ms(sse?.perFlipMax.p50), ms(sse?.perFlipMax.p99), ms(sse?.perFlipMax.max), "—"],
        ["(b) sample re-fetch with `?flagConfigEtag=` (duration of the re-fetch)", sse ? sse.flips : "—", sse ? sse.refetch.n : "—", ms(sse?.refetch.p50), ms(sse?.refetch.p99), ms(sse?.refetch.max), sse ? `${sse.refetch.stale} stale` : "—"],
      ],
    ),
  );
  lines.push(
    "",
    `Before push (hard-coded, see \`BEFORE_PUSH\` in bench/push-report.mjs): with default options the stock browser provider saw no flip at all; with polling forced to 1 s it saw each of ${BEFORE_PUSH.flips} flips after p50 ${BEFORE_PUSH.p50} / max ${BEFORE_PUSH.max} ms (the isolate's 5-s snapshot refresh).`,
  );
  if (sse) lines.push("", `Stream reconnects during the run: ${sse.reconnects}.`);
  lines.push(
    "",
    "#### Idle cost (all clients connected, no change)",
    "",
    table(
      ["Measure", "Value"],
      [
        ["connections open", idle ? String(idle.connected) : "—"],
        ["workerd RSS before connecting → after the idle window (MiB)", idle ? `${mib(idle.rssBeforeBytes)} → ${mib(idle.rssAfterBytes)} (${idle.workerdProcesses} processes)` : "—"],
        ["memory per connection (KiB, RSS growth ÷ connections)", idle ? kib(idle.bytesPerConnection) : "—"],
        [`workerd CPU time during the idle window (ms)`, idle ? ms(idle.workerdCpuMs) : "—"],
        ["events / keep-alive pings received while idle", idle ? `${idle.events} / ${idle.pings}` : "—"],
        ["Durable Object wall time while idle", "not observable locally (workerd reports no DO duration); in production: the DO's duration metric in the dashboard"],
      ],
    ),
  );
  return lines.join("\n");
}

/** The whole section (results + method), between the markers. */
export function renderPushSection(data) {
  return `${SECTION_BEGIN}
## Push: time to effect

Generated by \`npm run bench -- push\` (part 4 alone; \`node bench/push.mjs --help\` lists the options).
A full \`npm run bench\` runs it after part 3 unless \`--skip-push\`; a run without part 4 keeps this
section as it was.

${renderPushResults(data)}

### Method

- **Server**: \`npm run dev\` on a free loopback port with fresh local state, as in part 3. The bench
  creates a \`client\` SDK key and a \`clientSide\` boolean flag \`bench_push_kill\` in \`production\`
  through the admin API, and flips it with \`POST /admin/v1/envs/production/flags/bench_push_kill/disable\`
  and \`…/enable\` (alternating, disable first). Time zero is just before that call is sent; its own
  duration is part of every figure.
- **(a) Browser**: Debian's headless chromium (playwright-core) loads a page served from a second
  loopback origin that runs the stock \`@openfeature/web-sdk\` + \`@openfeature/ofrep-web-provider\`
  (bundled once by esbuild) with default options: \`baseUrl\` and the SDK key header only, so no
  polling; it records each new value of the flag with \`Date.now()\` on the provider's
  configuration-changed event (\`test/e2e/support/ofrep-page.mjs\`, the same page as the browser e2e
  test). A flip not seen within 10 s is a miss. \`--poll-ms N\` forces polling instead, for comparison.
  The screenshot \`docs/img/push-browser.png\` is saved at the end of this part:

  ![The test page in headless chromium: the flag's value and every change it saw](img/push-browser.png)
- **(b) SSE clients**: the advertised \`eventStreams[0].url\` of a bulk evaluation response (loopback
  only, or the bench refuses), opened by N streaming \`fetch\` readers in the bench's own Node process,
  50 at a time; each parses \`data:\` lines and time-stamps every event (\`performance.now()\`). A
  flip's latency per client is its first event after the call; a client with none within 5 s is a
  miss. As its event arrives, every (N ÷ sample)-th client re-fetches the bulk evaluation with
  \`?flagConfigEtag=<etag>&flagConfigLastModified=<lastModified>\` from the event and must get the new
  value ("stale" otherwise). A stream that ends is reopened with \`Last-Event-ID\` (counted).
- **(c) Idle**: with the N clients connected, nothing changes for 30 s. Memory per connection is the
  growth of the summed RSS of the dev server's \`workerd\` processes (\`/proc\`), from before the clients
  connect to the end of the window, divided by the connections; the CPU time \`workerd\` used during
  the window is shown as the local stand-in for the idle cost, since Durable Object wall time is not
  observable under \`wrangler dev\`.
- **Caveats**: the clients, chromium, wrangler and workerd share the same 2 cores, so the figures
  include client-side scheduling delay; \`wrangler dev\` is not the edge (no KV propagation, one
  isolate). Nothing here is a timed test: the e2e suite only checks that the browser sees each flip.
${SECTION_END}`;
}

/** The push section of an existing doc, or null. */
export function extractPushSection(doc) {
  const a = doc.indexOf(SECTION_BEGIN);
  const b = doc.indexOf(SECTION_END);
  return a >= 0 && b > a ? doc.slice(a, b + SECTION_END.length) : null;
}

/** `doc` with its push section replaced by `section` (appended at the end when it has none). */
export function withPushSection(doc, section) {
  const old = extractPushSection(doc);
  if (old !== null) return doc.replace(old, section);
  return `${doc.replace(/\n*$/, "\n")}\n${section}\n`;
}
