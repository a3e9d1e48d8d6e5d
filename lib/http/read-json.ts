import "server-only";
import { AppError } from "@/lib/errors";

/** A request's JSON body, or 400 `invalid_json`. */
export async function readJson(req: Request): Promise<unknown> {
  return req.json().catch(() => {
    throw new AppError("invalid_json", 400, "The request body must be JSON.");
  });
}
