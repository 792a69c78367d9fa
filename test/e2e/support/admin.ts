/** The admin credential of the local `wrangler dev` (`.dev.vars`: ADMIN_TOKEN), for e2e tests. */

export const ADMIN_TOKEN = "dev-admin-token";

/** Headers of an admin API call with a JSON body. */
export const ADMIN_HEADERS = { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" };
