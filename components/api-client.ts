// The browser's one way to call the app's own JSON routes. Every console component goes through `apiFetch`: it asks
// for JSON, sends a JSON body when given one, and turns an error answer `{ error: { code, message, details? } }`
// into one `ApiError` whose message is the route's, written for the person reading it.

/** A route's error answer, as thrown to the component that called it. */
export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    /** The route's stable error code (`forbidden`, `invalid_request`…), or `http_error` when it sent none. */
    readonly code: string,
    message: string,
    /** The HTTP status of the answer. */
    readonly status: number,
    /** The route's `error.details` when it sent some (e.g. what exactly was wrong with the input). */
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface ApiRequest {
  /** GET unless said. */
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Sent as JSON, with its content type. */
  body?: unknown;
  /**
   * The tenant the page was rendered for. Not sent yet: the tenant binding (contract: `x-qbc-tenant` on every
   * mutating request and status poll) adds it in `requestHeaders`, the one place request headers are made.
   */
  tenantId?: string;
  signal?: AbortSignal;
}

/** Every request's headers, made here and nowhere else. */
function requestHeaders(request: ApiRequest): Record<string, string> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (request.body !== undefined) headers["content-type"] = "application/json";
  return headers;
}

function errorOf(body: unknown): { code?: unknown; message?: unknown; details?: unknown } | null {
  const error = typeof body === "object" && body !== null ? (body as { error?: unknown }).error : undefined;
  return typeof error === "object" && error !== null ? error : null;
}

/**
 * Calls one of the app's routes and answers its JSON body as `T` (unchecked: the route's own types say what it
 * sends). A non-2xx answer throws `ApiError`; a network failure throws what `fetch` threw.
 */
export async function apiFetch<T>(path: string, request: ApiRequest = {}): Promise<T> {
  const response = await fetch(path, {
    method: request.method ?? "GET",
    headers: requestHeaders(request),
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    signal: request.signal,
  });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = errorOf(body);
    throw new ApiError(
      typeof error?.code === "string" ? error.code : "http_error",
      typeof error?.message === "string" ? error.message : `The request failed (${response.status}).`,
      response.status,
      error?.details,
    );
  }
  return body as T;
}
