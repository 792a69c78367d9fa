/**
 * The dashboard's URLs: /ui/{env}/{page}[/{id}]. Pure, so links and the router agree.
 */
export type Page = "overview" | "flags" | "segments" | "rollouts" | "schedules" | "audit" | "webhooks" | "keys";

export const PAGES: readonly { page: Page; label: string }[] = [
  { page: "overview", label: "Overview" },
  { page: "flags", label: "Flags" },
  { page: "segments", label: "Segments" },
  { page: "rollouts", label: "Rollouts" },
  { page: "schedules", label: "Schedules" },
  { page: "audit", label: "Audit" },
  { page: "webhooks", label: "Webhooks" },
  { page: "keys", label: "Keys and tokens" },
];

export interface Route {
  env: string | null;
  page: Page;
  id: string | null;
}

export function parseRoute(pathname: string): Route {
  const parts = pathname.replace(/^\/ui\/?/, "").split("/").filter((p) => p !== "").map(decodeURIComponent);
  const [env, page, id] = parts;
  const known = PAGES.some((p) => p.page === page);
  return { env: env ?? null, page: known ? (page as Page) : "overview", id: id ?? null };
}

export function href(env: string, page: Page, id?: string): string {
  return `/ui/${encodeURIComponent(env)}/${page}${id === undefined ? "" : `/${encodeURIComponent(id)}`}`;
}
