import type { MiddlewareHandler } from "hono";
import { ApiError } from "./errors.js";

/**
 * How deeply a JSON text nests, measured on the raw text before anything parses it. Deep nesting
 * is harmless to JSON.parse but overflows the stack of recursive consumers (structured clone over
 * RPC, JSON.stringify, merge patch), so the admin API refuses it up front.
 */
export function jsonNestingExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/** Refuses request bodies nested deeper than `maxDepth`: a thrown 422, rendered in the error envelope. */
export function refuseDeepJson(maxDepth: number): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD" || c.req.method === "DELETE") return next();
    if (jsonNestingExceeds(await c.req.text(), maxDepth)) {
      throw new ApiError(422, "VALIDATION_FAILED", `the body nests deeper than ${maxDepth} levels`, [
        { path: "body", message: `more than ${maxDepth} levels of nesting` },
      ]);
    }
    return next();
  };
}
