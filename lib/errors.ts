import { ZodError } from "zod";

/**
 * One error type for every expected failure: a stable code for machines, an HTTP status, and a message written for
 * the person reading it. Anything else becomes a generic 500 with no detail leaked.
 */
export class AppError extends Error {
  /** Sent as `error.details` when set: what exactly was wrong, e.g. each bad line of an upload. */
  readonly details?: unknown;

  constructor(
    readonly code: string,
    readonly status: number,
    readonly userMessage: string,
    options?: { cause?: unknown; details?: unknown },
  ) {
    super(userMessage, options);
    this.name = "AppError";
    this.details = options?.details;
  }
}

export const unauthenticated = () =>
  new AppError("unauthenticated", 401, "Sign in to continue.");
export const forbidden = (message = "Your role does not allow this action for this tenant.") =>
  new AppError("forbidden", 403, message);

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Maps any thrown value to the JSON error response the contract promises. */
export function toErrorResponse(error: unknown): Response {
  if (error instanceof AppError) {
    return Response.json(errorBody(error.code, error.userMessage, error.details), { status: error.status });
  }
  if (error instanceof ZodError) {
    const detail = error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ");
    return Response.json(errorBody("invalid_request", `The request is not valid: ${detail}`), { status: 400 });
  }
  // Unknown failures are logged by name only: the error may carry request data we must not write to logs.
  console.error("Unhandled error in route handler:", error instanceof Error ? `${error.name}: ${error.message}` : typeof error);
  return Response.json(errorBody("internal_error", "Something went wrong on our side. Try again in a moment."), {
    status: 500,
  });
}
