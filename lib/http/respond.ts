import "server-only";
import { toErrorResponse } from "@/lib/errors";

/** Runs a route handler's body and turns any thrown error into the contract's JSON error. */
export async function respond(body: () => Promise<Response>): Promise<Response> {
  try {
    return await body();
  } catch (error) {
    return toErrorResponse(error);
  }
}

/** JSON that must never be cached: it describes a tenant's connection. */
export function privateJson(data: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("cache-control", "no-store");
  return Response.json(data, { ...init, headers });
}
