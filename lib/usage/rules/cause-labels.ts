// How the console names what caused a read (lib/intuit/operations.ts READ_CAUSES). Pure: the page and its chart share it.
import { BACKGROUND_CAUSES, READ_CAUSES, type ReadCause } from "@/lib/intuit/operations";

export const CAUSE_LABELS: Record<ReadCause, string> = {
  user: "User actions",
  sync: "Sync runs",
  webhook: "Webhook follow-ups",
  reverify: "Re-verify",
  catch_up: "Change catch-up",
  checks: "Checks",
};

/** The causes in the order the console lists them: people's first, then the product's own background work. */
export const CAUSE_ORDER: readonly ReadCause[] = [...READ_CAUSES.filter((c) => !BACKGROUND_CAUSES.has(c)), ...READ_CAUSES.filter((c) => BACKGROUND_CAUSES.has(c))];

export function isBackgroundCause(cause: ReadCause): boolean {
  return BACKGROUND_CAUSES.has(cause);
}
