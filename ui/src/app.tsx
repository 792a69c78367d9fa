/**
 * The dashboard shell: sign-in until a token is accepted by GET /admin/v1/status, then the
 * navigation (pages, environment picker, sign out) and the current page.
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Api, ApiError } from "./api.js";
import { AuditPage } from "./pages/audit.js";
import { FlagPage } from "./pages/flag-page.js";
import { FlagsPage } from "./pages/flags.js";
import { KeysPage } from "./pages/keys.js";
import { OverviewPage } from "./pages/overview.js";
import { RolloutPage } from "./pages/rollout.js";
import { RolloutsPage } from "./pages/rollouts.js";
import { SchedulesPage } from "./pages/schedules.js";
import { SegmentPage } from "./pages/segment-page.js";
import { SegmentsPage } from "./pages/segments.js";
import { SignIn } from "./pages/sign-in.js";
import { WebhooksPage } from "./pages/webhooks.js";
import { href, PAGES, parseRoute } from "./routes.js";
import { Link, navigate, useLocation } from "./router.js";
import { forgetToken, storedToken, storeToken } from "./session.js";
import type { StatusReport } from "./types.js";

interface Session {
  api: Api;
  status: StatusReport;
}

/** Checks a token against /admin/v1/status; a refusal becomes the message the sign-in shows. */
async function signIn(token: string): Promise<Session> {
  const api = new Api(token);
  try {
    return { api, status: await api.status() };
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) throw new Error("invalid or rejected token");
    throw new Error(`could not reach the admin API: ${(error as Error).message}`);
  }
}

export function App(): JSX.Element {
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(storedToken() !== null);
  const { path } = useLocation();

  useEffect(() => {
    const token = storedToken();
    if (token === null) return;
    signIn(token)
      .then(setSession, () => forgetToken())
      .finally(() => setRestoring(false));
  }, []);

  if (restoring) return <p class="loading">Loading…</p>;
  if (session === null) {
    return (
      <SignIn
        onSubmit={async (token) => {
          const next = await signIn(token);
          storeToken(token);
          setSession(next);
        }}
      />
    );
  }

  const environments = session.status.environments.map((e) => e.env);
  const route = parseRoute(path);
  const env = route.env !== null && environments.includes(route.env) ? route.env : environments[0];
  if (env === undefined) return <p role="alert">This token may not view any environment.</p>;
  if (route.env !== env) {
    // Opens on the first configured environment the token sees (`development` locally).
    queueMicrotask(() => navigate(href(env, route.page)));
  }

  const signOut = () => {
    forgetToken();
    setSession(null);
    navigate("/ui/");
  };

  return (
    <div class="shell">
      <header class="top">
        <span class="brand">edgeflags</span>
        <nav aria-label="Main">
          <ul>
            {PAGES.map(({ page, label }) => (
              <li key={page}>
                <Link href={href(env, page)} current={route.page === page}>
                  {label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <label class="env-picker">
          Environment{" "}
          <select value={env} onChange={(e) => navigate(href((e.currentTarget as HTMLSelectElement).value, route.page))}>
            {environments.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <span class="who">
          {session.status.principal.actor} ({session.status.principal.role})
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        {route.page === "overview" && <OverviewPage api={session.api} />}
        {route.page === "flags" && route.id === null && <FlagsPage api={session.api} env={env} principal={session.status.principal} />}
        {route.page === "rollouts" && route.id === null && <RolloutsPage api={session.api} env={env} principal={session.status.principal} />}
        {route.page === "rollouts" && route.id !== null && <RolloutPage api={session.api} env={env} id={route.id} principal={session.status.principal} />}
        {route.page === "audit" && <AuditPage api={session.api} env={env} />}
        {route.page === "flags" && route.id !== null && <FlagPage api={session.api} env={env} flagKey={route.id} principal={session.status.principal} environments={environments} />}
        {route.page === "segments" && route.id === null && <SegmentsPage api={session.api} env={env} principal={session.status.principal} />}
        {route.page === "segments" && route.id !== null && <SegmentPage api={session.api} env={env} segmentKey={route.id} principal={session.status.principal} />}
        {route.page === "schedules" && <SchedulesPage api={session.api} env={env} principal={session.status.principal} />}
        {route.page === "webhooks" && <WebhooksPage api={session.api} env={env} principal={session.status.principal} />}
        {route.page === "keys" && <KeysPage api={session.api} env={env} principal={session.status.principal} environments={environments} />}
      </main>
    </div>
  );
}
