import { ZodError } from "zod";
import { databaseTimeoutCode } from "@/db/timeouts";
import { databaseUnavailableCode } from "@/db/unavailable";
import { DATABASE_UNAVAILABLE_DIGEST, DATABASE_UNAVAILABLE_MESSAGE } from "./service-unavailable";
import { describeError } from "@/lib/describe-error";

/**
 * One error type for every expected failure: a stable code for machines, an HTTP status, and a message written for
 * the person reading it. A database out of reach becomes a 503 "try again"; anything else a generic 500 with no detail
 * leaked.
 */
export class AppError extends Error {
  /** Sent as `error.details` when set: what exactly was wrong, e.g. each bad line of an upload. */
  readonly details?: unknown;
  /**
   * Next.js keeps an error's own `digest` when it crosses from a server component to an error boundary (it replaces
   * the message in production), so a page's boundary can tell this failure from others by it.
   */
  readonly digest?: string;

  constructor(
    readonly code: string,
    readonly status: number,
    readonly userMessage: string,
    options?: { cause?: unknown; details?: unknown; digest?: string },
  ) {
    super(userMessage, options);
    this.name = "AppError";
    this.details = options?.details;
    if (options?.digest) this.digest = options.digest;
  }
}

export const unauthenticated = () =>
  new AppError("unauthenticated", 401, "Sign in to continue.");
export const forbidden = (message = "Your role does not allow this action for this tenant.") =>
  new AppError("forbidden", 403, message);

/** Seconds a client is told to wait before trying again: postgres.js reconnects on the next query after that. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

export const databaseUnavailable = (cause?: unknown) =>
  new AppError("service_unavailable", 503, DATABASE_UNAVAILABLE_MESSAGE, {
    cause,
    digest: DATABASE_UNAVAILABLE_DIGEST,
  });

/** Rethrows a database-unreachable error as `databaseUnavailable()` (for pages, which get no JSON mapping); else as is. */
export function asDatabaseUnavailable(error: unknown): unknown {
  return error instanceof AppError || databaseUnavailableCode(error) === null ? error : databaseUnavailable(error);
}

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Maps any thrown value to the JSON error response the contract promises. */
export function toErrorResponse(error: unknown): Response {
  if (error instanceof AppError) {
    const headers = error.digest === DATABASE_UNAVAILABLE_DIGEST ? { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) } : undefined;
    return Response.json(errorBody(error.code, error.userMessage, error.details), { status: error.status, headers });
  }
  const unreachable = databaseUnavailableCode(error);
  if (unreachable !== null) {
    // The code alone: the driver's error text may quote the query and its parameters.
    console.error(`Database unavailable (${unreachable}): answered 503`);
    return toErrorResponse(databaseUnavailable(error));
  }
  const timedOut = databaseTimeoutCode(error);
  if (timedOut !== null) {
    // A statement or a lock wait ended at the session's time limit (db/client.ts): "try again", never a 500.
    console.error(`Database time limit reached (${timedOut}): answered 503`);
    return Response.json(errorBody("database_timeout", "The database took too long to answer this request. Try again in a moment."), {
      status: 503,
      headers: { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) },
    });
  }
  if (error instanceof ZodError) {
    const detail = error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ");
    return Response.json(errorBody("invalid_request", `The request is not valid: ${detail}`), { status: 400 });
  }
  // Unknown failures are logged by what describeError lets through: never a query or its parameters.
  console.error(`Unhandled error in route handler: ${describeError(error)}`);
  return Response.json(errorBody("internal_error", "Something went wrong on our side. Try again in a moment."), {
    status: 500,
  });
}
