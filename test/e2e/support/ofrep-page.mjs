/**
 * A small web page on its own origin (a second HTTP server on 127.0.0.1, another port than the
 * service) that runs the stock `@openfeature/web-sdk` + `@openfeature/ofrep-web-provider`, as a
 * customer's site would, and records every value of one flag it sees. Shared by the browser e2e
 * test and `bench/push.mjs`, so both measure the same page.
 *
 * The two packages import `@openfeature/core` and a nested `@openfeature/ofrep-core`; instead of an
 * import map over node_modules, they are bundled once (esbuild, which wrangler already brings) into
 * one ES module, so the page gets exactly one copy of the SDK singleton the provider registers with.
 *
 * Page URL: `/?flag=<key>&sdkKey=<key>[&poll=<ms>]`. Without `poll` the provider gets DEFAULT options
 * (baseUrl and the SDK key header only: no polling, change detection by the server's event streams);
 * with it, polling every `poll` ms is forced (`changeDetection: "polling"`), the pre-push behaviour.
 * In the page: `window.__seen` = [{ value, at (Date.now()), event }], `window.__error` on failure.
 */
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** The stock SDK and provider as one browser ES module (built in memory, nothing written). */
export async function bundleOpenFeature() {
  const result = await build({
    stdin: {
      contents: `export { OpenFeature, ProviderEvents } from "@openfeature/web-sdk";
export { OFREPWebProvider } from "@openfeature/ofrep-web-provider";`,
      resolveDir: root,
      loader: "js",
    },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error("esbuild produced no bundle of @openfeature/web-sdk + ofrep-web-provider");
  return file.text;
}

/** The page: sets the provider, then appends every value of the flag it evaluates to `__seen`. */
function pageHtml(ofrepBaseUrl) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>edgeflags push: stock OFREP web provider</title>
<style>
  body { font: 16px/1.4 system-ui, sans-serif; margin: 2rem; color: #222; }
  #value { font-size: 3rem; font-weight: 700; padding: .3em .6em; border-radius: .3em; display: inline-block; }
  #value.on { background: #c8f7c5; } #value.off { background: #f7c5c5; }
  code { background: #f3f3f3; padding: 0 .3em; }
  li { font-family: ui-monospace, monospace; font-size: .9rem; }
</style>
</head>
<body>
<h1>Stock <code>@openfeature/ofrep-web-provider</code> on another origin</h1>
<p>Flag <code id="flag"></code> from <code>${ofrepBaseUrl}</code>, change detection: <strong id="mode"></strong></p>
<div id="value">…</div>
<ol id="log"></ol>
<script type="module">
  import { OpenFeature, ProviderEvents, OFREPWebProvider } from "/openfeature.js";
  const params = new URLSearchParams(location.search);
  const flag = params.get("flag");
  const sdkKey = params.get("sdkKey");
  const poll = Number(params.get("poll") ?? "0");
  window.__seen = [];
  document.getElementById("flag").textContent = flag;
  document.getElementById("mode").textContent = poll > 0 ? "polling every " + poll + " ms (forced)" : "default options (server event streams)";
  const options = { baseUrl: ${JSON.stringify(ofrepBaseUrl)}, headers: [["Authorization", "Bearer " + sdkKey]] };
  if (poll > 0) Object.assign(options, { pollInterval: poll, changeDetection: "polling" });
  const client = OpenFeature.getClient();
  const record = (event) => {
    const value = client.getBooleanValue(flag, false);
    const at = Date.now();
    const last = window.__seen.at(-1);
    if (last !== undefined && last.value === value) return; // only changes of the value
    window.__seen.push({ value, at, event });
    const el = document.getElementById("value");
    el.textContent = flag + " = " + value;
    el.className = value ? "on" : "off";
    const li = document.createElement("li");
    li.textContent = new Date(at).toISOString().slice(11, 23) + "  " + value + "  (" + event + ")";
    document.getElementById("log").append(li);
  };
  OpenFeature.addHandler(ProviderEvents.ConfigurationChanged, () => record("configuration changed"));
  OpenFeature.setProviderAndWait(new OFREPWebProvider(options), { targetingKey: "browser-user-1" })
    .then(() => record("ready"))
    .catch((error) => { window.__error = String(error && error.stack || error); });
</script>
</body>
</html>
`;
}

/**
 * Starts the page server on 127.0.0.1 (a free port). `ofrepBaseUrl` is the service's origin, which
 * the page calls cross-origin. `pageUrl({ flag, sdkKey, pollMs })` builds the address of a page.
 */
export async function startOfrepPage({ ofrepBaseUrl }) {
  const script = await bundleOpenFeature();
  const html = pageHtml(ofrepBaseUrl);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://page.invalid").pathname;
    if (path === "/") {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
      res.end(html);
    } else if (path === "/openfeature.js") {
      res.writeHead(200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-store" });
      res.end(script);
    } else {
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(undefined));
  });
  const address = server.address();
  if (address === null || typeof address !== "object") throw new Error("page server has no address");
  const origin = `http://127.0.0.1:${address.port}`;
  if (origin === new URL(ofrepBaseUrl).origin) throw new Error("the page must be on another origin than the service");
  return {
    origin,
    pageUrl: ({ flag, sdkKey, pollMs }) => {
      const query = new URLSearchParams({ flag, sdkKey });
      if (pollMs !== undefined && pollMs > 0) query.set("poll", String(pollMs));
      return `${origin}/?${query}`;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}
