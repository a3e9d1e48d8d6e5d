/**
 * Whether an error is PostgreSQL ending a statement at one of the session's time limits (db/client.ts): 57014
 * query_canceled (statement_timeout) or 55P03 lock_not_available (lock_timeout). Such a request answers 503 "try
 * again" (lib/errors.ts): the database was too busy, or a lock too long held, for it now, not the request wrong.
 * (A session ended by idle_in_transaction_session_timeout reaches its next query as a closed connection, which
 * db/unavailable.ts already answers 503.)
 */
const TIMEOUT_STATES = new Set(["57014", "55P03"]);

/** The SQLSTATE of the first time-limit error in the error's cause chain (drizzle wraps the driver's), or null. */
export function databaseTimeoutCode(error: unknown): string | null {
  let current: unknown = error;
  // A chain is a handful of links deep; the bound also stops a cause that points back.
  for (let depth = 0; depth < 10 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && TIMEOUT_STATES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
