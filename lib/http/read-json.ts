import "server-only";
import { AppError } from "@/lib/errors";
import { readBodyWithLimit } from "./read-body";

/**
 * The most a JSON request body of this API may hold. The largest legitimate one (Intuit settings, an API key, an
 * explanation) is well under 2 KB; without a limit, any signed-in user could make the server buffer and parse
 * hundreds of megabytes. The ledger upload and webhooks have their own, larger limits.
 */
export const JSON_BODY_LIMIT_BYTES = 64 * 1024;

/** A request's JSON body, or 400 `invalid_json`; 413 beyond `limit` bytes. */
export async function readJson(req: Request, limit = JSON_BODY_LIMIT_BYTES): Promise<unknown> {
  return parseJson(await readText(req, limit));
}

/** A request's JSON body when it has one, `{}` when it is empty, or 400 `invalid_json`; 413 beyond `limit` bytes. */
export async function readOptionalJson(req: Request, limit = JSON_BODY_LIMIT_BYTES): Promise<unknown> {
  const text = await readText(req, limit);
  if (text.trim() === "") return {};
  return parseJson(text);
}

/** The body as text, decoded as `Request.json()` does (UTF-8, BOM dropped, invalid bytes replaced). */
async function readText(req: Request, limit: number): Promise<string> {
  return new TextDecoder().decode(await readBodyWithLimit(req, limit));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError("invalid_json", 400, "The request body must be JSON.");
  }
}
