// The dashboard benchmark (`npm run bench -- dashboard`): against a fresh `npm run dev`, in
// Debian's headless chromium (playwright-core, test/e2e/support/chromium.mjs):
// 1. cold first load of the flags page (a new browser context each time: empty cache) — bytes
//    transferred (CDP `encodedDataLength`, every request of the page: HTML, JS, CSS, API) and the
//    time from navigation start until the Flags table shows its rows with the switches enabled;
// 2. the same page with 1,000 more flags imported through the admin API (`POST /envs/staging/import`):
//    time until the table's first page (PAGE_ROWS rows) is interactive, the time from typing into
//    "Search flags" until the rows match (measured in the page: from the input event to the frame
//    after the DOM matches), and the time "Show all" takes to render every row.
// Each figure is the median of RUNS rounds (min and max beside it). Writes its section of
// docs/benchmarks.md between the dashboard markers (bench/run.mjs keeps it on a full run).
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { launchChromium } from "../test/e2e/support/chromium.mjs";
import { root } from "./build.mjs";
import { startDevServer } from "./http.mjs";

export const SECTION_BEGIN = "<!-- dashboard:begin (bench/dashboard.mjs) -->";
export const SECTION_END = "<!-- dashboard:end -->";

const RUNS = 5;
/** ui/src/pages/flags.tsx PAGE_ROWS: the table renders this many rows until "Show more". */
const PAGE_ROWS = 200;
const BIG = 1000;
const TOKEN = "dev-admin-token";

function bigFlagSet() {
  const flags = [];
  for (let i = 0; i < BIG; i++) {
    const key = `bench-flag-${String(i).padStart(4, "0")}`;
    flags.push({
      key,
      type: "boolean",
      variants: { on: true, off: false },
      offVariant: "off",
      enabled: i % 7 !== 0,
      rules: i % 3 === 0 ? [{ id: "beta", when: [{ attribute: "plan", op: "in", values: ["beta"] }], serve: { variant: "on" } }] : [],
      fallthrough: i % 5 === 0 ? { rollout: { variant: "on", baseline: "off", percentage: 25 } } : { variant: "off" },
      category: ["checkout", "search", "growth", "infra"][i % 4],
      tags: [`team-${i % 10}`],
      owner: `owner-${i % 20}@example.com`,
      description: `Benchmark flag number ${i}`,
    });
  }
  return { flags };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const stats = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

/** One cold load of /ui/{env}/flags: a fresh context, the token put in sessionStorage first. */
async function coldLoad(browser, base, env, expectedRows) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((token) => sessionStorage.setItem("edgeflags.token", token), TOKEN);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  let bytes = 0;
  let requests = 0;
  cdp.on("Network.loadingFinished", (e) => {
    bytes += e.encodedDataLength;
    requests++;
  });
  await page.goto(`${base}/ui/${env}/flags`, { waitUntil: "commit" });
  // Interactive: the table has every row and a switch that can be pressed.
  const handle = await page.waitForFunction(
    (n) => {
      const table = document.querySelector("table[aria-label='Flags']");
      if (!table || table.querySelectorAll("tbody tr").length < n) return false;
      const sw = table.querySelector("button[role='switch']");
      return sw && !sw.disabled ? performance.now() : false;
    },
    expectedRows,
    { polling: "raf", timeout: 60_000 },
  );
  const interactiveMs = await handle.jsonValue();
  // The event stream stays open; what it sent so far is not part of the load.
  return { page, context, bytes, requests, interactiveMs };
}

/** Types `text` into "Search flags" and times it until the table shows `expected` rows. */
function filterTime(page, text, expected) {
  return page.evaluate(
    ([q, n]) =>
      new Promise((resolve) => {
        const input = document.getElementById("flag-search"); // the field labelled "Search flags"
        const t0 = performance.now();
        input.value = q;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        const check = () => {
          const rows = document.querySelectorAll("table[aria-label='Flags'] tbody tr").length;
          if (rows === n) requestAnimationFrame(() => resolve(performance.now() - t0));
          else requestAnimationFrame(check);
        };
        check();
      }),
    [text, expected],
  );
}

export async function runDashboard({ log = () => {} } = {}) {
  const loadStart = loadavg()[0];
  const server = await startDevServer({ log });
  const browser = await launchChromium();
  try {
    const base = server.base;
    const api = (method, path, body) =>
      fetch(`${base}/admin/v1${path}`, { method, headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" }, body: body && JSON.stringify(body) }).then(async (r) => {
        if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${(await r.text()).slice(0, 300)}`);
        return r.json();
      });
    const defaultCount = (await api("GET", "/envs/development/flags")).flags.length;
    log(`cold loads of development's flags page (${defaultCount} flags)`);
    const cold = [];
    for (let i = 0; i <= RUNS; i++) {
      const run = await coldLoad(browser, base, "development", defaultCount);
      await run.context.close();
      if (i > 0) cold.push(run); // the first warms the server's isolate and caches
    }

    log(`importing ${BIG} flags into staging`);
    await api("POST", "/envs/staging/import?mode=merge&reason=bench", bigFlagSet());
    const bigCount = (await api("GET", "/envs/staging/flags")).flags.length;
    const big = [];
    const filters = [];
    const narrow = "bench-flag-05"; // 0500-0599
    const one = "bench-flag-0777";
    for (let i = 0; i <= RUNS; i++) {
      const run = await coldLoad(browser, base, "staging", Math.min(bigCount, PAGE_ROWS));
      if (i > 0) {
        big.push(run);
        const t100 = await filterTime(run.page, narrow, 100);
        const t1 = await filterTime(run.page, one, 1);
        const tAll = await filterTime(run.page, "", Math.min(bigCount, PAGE_ROWS));
        const showAll = await run.page.evaluate(
          (n) =>
            new Promise((resolve) => {
              const button = [...document.querySelectorAll("button")].find((b) => b.textContent.startsWith("Show all"));
              const t0 = performance.now();
              button.click();
              const check = () => {
                if (document.querySelectorAll("table[aria-label='Flags'] tbody tr").length === n) requestAnimationFrame(() => resolve(performance.now() - t0));
                else requestAnimationFrame(check);
              };
              check();
            }),
          bigCount,
        );
        filters.push({ t100, t1, tAll, showAll });
      }
      await run.context.close();
    }
    // What `npm run dev` built (scripts/build-ui.mjs), as its budget check counts it.
    const gz = (file) => gzipSync(readFileSync(join(root, "ui", "dist", file))).length;
    return {
      at: new Date().toISOString(),
      jsGzip: gz("app.js"),
      loadStart,
      loadEnd: loadavg()[0],
      cssGzip: gz("app.css"),
      defaultFlags: defaultCount,
      bigFlags: bigCount,
      runs: RUNS,
      cold: { bytes: stats(cold.map((r) => r.bytes)), requests: stats(cold.map((r) => r.requests)), interactiveMs: stats(cold.map((r) => r.interactiveMs)) },
      big: { bytes: stats(big.map((r) => r.bytes)), interactiveMs: stats(big.map((r) => r.interactiveMs)) },
      filter: { to100: stats(filters.map((f) => f.t100)), to1: stats(filters.map((f) => f.t1)), clear: stats(filters.map((f) => f.tAll)), showAll: stats(filters.map((f) => f.showAll)) },
    };
  } finally {
    await browser.close();
    await server.stop();
  }
}

const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
const ms = (s) => `${s.median.toFixed(0)} ms (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;

/** The section between the dashboard markers. */
export function renderDashboardSection(d) {
  const lines = [SECTION_BEGIN, "", "## Dashboard", ""];
  if (d === null) return [...lines, "Not measured yet: `npm run bench -- dashboard`.", "", SECTION_END].join("\n");
  lines.push(
    `\`npm run bench -- dashboard\` (bench/dashboard.mjs), ${d.at}: a fresh \`npm run dev\`, headless chromium on this machine (2 cores shared with other work: 1-minute load average ${d.loadStart.toFixed(1)} at the start, ${d.loadEnd.toFixed(1)} at the end), each figure the median of ${d.runs} rounds (min–max) after one warm-up. A cold load is a new browser context (empty cache) opening \`/ui/{env}/flags\` with the token already in sessionStorage; bytes are every response of the page as transferred (HTML, JS, CSS and the admin API's JSON, gzip where the server compresses); interactive is the time from navigation start until the Flags table has all its rows and an enabled switch.`,
    "",
    "| measurement | result |",
    "|---|---|",
    `| the bundle: ui/dist/app.js / app.css, gzipped (scripts/build-ui.mjs fails above 150 KB of JS) | ${kb(d.jsGzip)} / ${kb(d.cssGzip)} |`,
    `| cold load, ${d.defaultFlags} flags (development): bytes transferred | ${kb(d.cold.bytes.median)} in ${d.cold.requests.median} requests |`,
    `| cold load, ${d.defaultFlags} flags: time to an interactive Flags table | ${ms(d.cold.interactiveMs)} |`,
    `| cold load, ${d.bigFlags} flags (staging, ${d.bigFlags - d.defaultFlags} imported): bytes transferred | ${kb(d.big.bytes.median)} |`,
    `| cold load, ${d.bigFlags} flags: time to an interactive Flags table (its first ${PAGE_ROWS} rows) | ${ms(d.big.interactiveMs)} |`,
    `| ${d.bigFlags} flags: type a search matching 100 flags → rows updated | ${ms(d.filter.to100)} |`,
    `| ${d.bigFlags} flags: type a search matching 1 flag → rows updated | ${ms(d.filter.to1)} |`,
    `| ${d.bigFlags} flags: clear the search → the first ${PAGE_ROWS} rows back | ${ms(d.filter.clear)} |`,
    `| ${d.bigFlags} flags: "Show all ${d.bigFlags}" → every row rendered | ${ms(d.filter.showAll)} |`,
    "",
    `Reading it: the first load is a handful of requests (the page, the two bundles, then status, flags and the audit page in parallel), so its time is mostly the local server's answers on a busy machine. The table renders ${PAGE_ROWS} rows at a time (ui/src/pages/flags.tsx \`PAGE_ROWS\`, with "Show ${PAGE_ROWS} more" and "Show all"): a keystroke in the search re-renders at most that many rows, while rendering all ${d.bigFlags} at once is the last row's figure.`,
    "",
    SECTION_END,
  );
  return lines.join("\n");
}

/** The dashboard section of a benchmarks document, or null when it has none. */
export function extractDashboardSection(doc) {
  const start = doc.indexOf(SECTION_BEGIN);
  const end = doc.indexOf(SECTION_END);
  return start >= 0 && end > start ? doc.slice(start, end + SECTION_END.length) : null;
}

/** The document with its dashboard section replaced (or appended). */
export function withDashboardSection(doc, section) {
  const current = extractDashboardSection(doc);
  return current === null ? `${doc.trimEnd()}\n\n${section}\n` : doc.replace(current, section);
}
