/**
 * The one error envelope of every non-OFREP route (src/http/errors.ts):
 * `{ "error": { "code", "message", "details"?: [{ "path", "message" }], "requestId" } }` and
 * nothing else, so clients can rely on one shape for every 4xx.
 */
import { expect } from "vitest";

export interface ErrorEnvelope {
  error: { code: string; message: string; details?: { path: string; message: string }[]; requestId: string };
}

/** Asserts `text` is exactly the error envelope; `where` labels failures. Returns it parsed. */
export function expectErrorEnvelope(text: string, where: string): ErrorEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    expect.fail(`${where}: the body is not JSON: ${text.slice(0, 200)}`);
  }
  expect(Object.keys(parsed as object), where).toEqual(["error"]);
  const error = (parsed as { error: Record<string, unknown> }).error;
  expect(["code", "message", "details", "requestId"], where).toEqual(expect.arrayContaining(Object.keys(error)));
  expect(error.code, where).toEqual(expect.stringMatching(/^[A-Z][A-Z_]*$/));
  expect(error.message, where).toEqual(expect.any(String));
  expect((error.message as string).length, where).toBeGreaterThan(0);
  expect(error.requestId, where).toEqual(expect.any(String));
  expect((error.requestId as string).length, where).toBeGreaterThan(0);
  if (error.details !== undefined) {
    expect(Array.isArray(error.details), where).toBe(true);
    for (const d of error.details as unknown[]) expect(d, where).toEqual({ path: expect.any(String), message: expect.any(String) });
  }
  return parsed as ErrorEnvelope;
}
