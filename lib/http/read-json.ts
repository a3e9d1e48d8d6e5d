import "server-only";
import { AppError } from "@/lib/errors";

/** A request's JSON body, or 400 `invalid_json`. */
export async function readJson(req: Request): Promise<unknown> {
  return req.json().catch(() => {
    throw new AppError("invalid_json", 400, "The request body must be JSON.");
  });
}

/** A request's JSON body when it has one, `{}` when it is empty, or 400 `invalid_json`. */
export async function readOptionalJson(req: Request): Promise<unknown> {
  const text = await req.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError("invalid_json", 400, "The request body must be JSON.");
  }
}
