/**
 * Whether an error means "the database cannot be reached right now" (a server restarting, a network cut, a full
 * connection table), as opposed to a bug or a bad query. Such failures are answered 503 ("try again"), not 500, and
 * nothing more is done with them: postgres.js opens fresh connections by itself once the server answers again.
 *
 * Errors arrive wrapped (drizzle's DrizzleQueryError keeps the driver's error as `cause`; Node's happy-eyeballs
 * connect reports an AggregateError), so the whole chain is searched.
 */

/** postgres.js's own codes for a connection that failed, closed, or was ended under a query. */
const DRIVER_CODES = new Set(["CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT"]);

/** Socket and name-resolution failures from Node's `net`/`dns`, passed through by postgres.js. */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ENOTFOUND", "EAI_AGAIN"]);

/**
 * SQLSTATEs the server sends when it cannot serve us at all: class 08 (connection exception), 57P01 admin shutdown,
 * 57P02 crash shutdown, 57P03 cannot connect now (starting up or in recovery), 53300 too many connections.
 */
const SERVER_STATES = new Set(["57P01", "57P02", "57P03", "53300"]);
const CONNECTION_EXCEPTION_CLASS = /^08[0-9A-Z]{3}$/;

/** A code that, on its own, says the database is out of reach. */
export function isDatabaseUnavailableCode(code: string): boolean {
  return DRIVER_CODES.has(code) || NETWORK_CODES.has(code) || SERVER_STATES.has(code) || CONNECTION_EXCEPTION_CLASS.test(code);
}

/** The first code in the error's chain that says the database is out of reach, or null. */
export function databaseUnavailableCode(error: unknown): string | null {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  // Bounded: a chain is a handful of links deep; a cycle (a cause pointing back) must not loop forever.
  while (queue.length > 0 && seen.size < 20) {
    const current = queue.shift();
    if (typeof current !== "object" || current === null || seen.has(current)) continue;
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && isDatabaseUnavailableCode(code)) return code;
    // An outbound HTTP call (Intuit) that failed has the same socket codes in its cause; it is never the database.
    if (current instanceof TypeError && current.message === "fetch failed") continue;
    queue.push((current as { cause?: unknown }).cause);
    const inner = (current as { errors?: unknown }).errors;
    if (Array.isArray(inner)) queue.push(...inner);
  }
  return null;
}

export function isDatabaseUnavailable(error: unknown): boolean {
  return databaseUnavailableCode(error) !== null;
}
