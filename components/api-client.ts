// The browser's one way to call the app's own JSON routes. Every console component goes through `apiFetch`: it asks
// for JSON, sends a JSON body when given one, names the tenant its page was rendered for (`x-qbc-tenant`), and turns
// an error answer `{ error: { code, message, details? } }` into one `ApiError` whose message is the route's, written
// for the person reading it.
import { TENANT_HEADER } from "@/lib/http/tenant-binding";

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
   * The tenant the page was rendered for (the id its server page handed down), sent as `x-qbc-tenant` with every
   * request, reads included (contract, "Tenant binding"). Required: a request from a page whose session has since
   * moved to another tenant is refused (409 `tenant_mismatch`) instead of acting on, or showing, the other tenant.
   */
  tenantId: string;
  signal?: AbortSignal;
}

/** Every request's headers, made here and nowhere else. */
function requestHeaders(request: ApiRequest): Record<string, string> {
  const headers: Record<string, string> = { accept: "application/json", [TENANT_HEADER]: request.tenantId };
  if (request.body !== undefined) headers["content-type"] = "application/json";
  return headers;
}

/** The route's codes for "this page is for another tenant than the session's": the page must be reloaded. */
const STALE_PAGE_CODES: ReadonlySet<string> = new Set(["tenant_mismatch", "tenant_required"]);

type StalePageListener = (error: ApiError) => void;
const stalePageListeners = new Set<StalePageListener>();

/**
 * Calls `listener` with every answer that says the page is stale (its session now acts for another tenant), from
 * whichever component asked; the console's alert listens (components/ui/TenantMismatchAlert.tsx). Returns the
 * unsubscribe function.
 */
export function onStalePage(listener: StalePageListener): () => void {
  stalePageListeners.add(listener);
  return () => void stalePageListeners.delete(listener);
}

function errorOf(body: unknown): { code?: unknown; message?: unknown; details?: unknown } | null {
  const error = typeof body === "object" && body !== null ? (body as { error?: unknown }).error : undefined;
  return typeof error === "object" && error !== null ? error : null;
}

/**
 * Calls one of the app's routes and answers its JSON body as `T` (unchecked: the route's own types say what it
 * sends). A non-2xx answer throws `ApiError`; a network failure throws what `fetch` threw.
 */
export async function apiFetch<T>(path: string, request: ApiRequest): Promise<T> {
  const response = await fetch(path, {
    method: request.method ?? "GET",
    headers: requestHeaders(request),
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    signal: request.signal,
  });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = errorOf(body);
    const failure = new ApiError(
      typeof error?.code === "string" ? error.code : "http_error",
      typeof error?.message === "string" ? error.message : `The request failed (${response.status}).`,
      response.status,
      error?.details,
    );
    if (STALE_PAGE_CODES.has(failure.code)) for (const listener of stalePageListeners) listener(failure);
    throw failure;
  }
  return body as T;
}
