import "server-only";
import { after } from "next/server";

/**
 * Runs work once the response has been sent (Next.js `after`). Outside a Next.js request (route handlers called
 * directly by tests or scripts) there is no response to wait for, so the work is only deferred to the next tick.
 */
export function afterResponse(work: () => Promise<unknown>): void {
  try {
    after(work);
  } catch {
    setImmediate(() => void work());
  }
}
