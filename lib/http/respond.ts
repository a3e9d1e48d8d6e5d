import "server-only";
import { toErrorResponse } from "@/lib/errors";
import { observeHttpRequest } from "@/lib/ops/metrics";

/**
 * Runs a route handler's body, turns any thrown error into the contract's JSON error, and counts the answer in the
 * request metrics (method, route template, status, duration: lib/ops/metrics.ts).
 */
export async function respond(req: Request, body: () => Promise<Response>): Promise<Response> {
  const started = performance.now();
  let response: Response;
  try {
    response = await body();
  } catch (error) {
    response = toErrorResponse(error);
  }
  observeHttpRequest(req.method, new URL(req.url).pathname, response.status, (performance.now() - started) / 1000);
  return response;
}

/** JSON that must never be cached: it describes a tenant's connection. */
export function privateJson(data: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("cache-control", "no-store");
  return Response.json(data, { ...init, headers });
}
