// Small transport rules shared by the Intuit client: when plain http is tolerated, timeouts, trace ids.

export const DEFAULT_TIMEOUT_MS = 10_000;

export interface IntuitCallOptions {
  /** Injected fetch (tests, instrumentation). Default: the global fetch. */
  fetch?: typeof fetch;
  /** Abort the call after this many milliseconds. Default 10 s. */
  timeoutMs?: number;
  /** The caller's own cancellation, combined with the timeout. */
  signal?: AbortSignal;
}

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1"]);

/**
 * Plain http is only for the emulator on this machine or a *.test host in tests. Everything else must be https,
 * so a mistyped production URL can never send client secrets or tokens in clear text.
 */
export function allowsInsecureRequests(url: URL): boolean {
  if (url.protocol !== "http:") return false;
  return LOCAL_HOSTS.has(url.hostname) || url.hostname.endsWith(".test");
}

/** True when the URL may be called: https anywhere, http only where allowsInsecureRequests says so. */
export function isPermittedEndpoint(url: URL): boolean {
  return url.protocol === "https:" || allowsInsecureRequests(url);
}

export function timeoutSignal(options: IntuitCallOptions): AbortSignal {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  return options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
}

/** Intuit's trace id header (with an underscore); support asks for it, so every result and error carries it. */
export function readIntuitTid(headers: Headers): string | null {
  return headers.get("intuit_tid");
}

export type TransportFailure = "timeout" | "aborted" | "network";

/** Classifies a rejected fetch. A timeout and the caller's abort both reject with a DOMException. */
export function classifyTransportFailure(error: unknown): TransportFailure {
  if (error instanceof DOMException || (error instanceof Error && error.name === "TimeoutError")) {
    return error.name === "TimeoutError" ? "timeout" : "aborted";
  }
  return "network";
}

/** Redacts anything that looks like a token or code (long opaque strings) from text Intuit sent back. */
export function redactSecrets(text: string): string {
  return text.replace(/[A-Za-z0-9._~+/=-]{32,}/g, "[redacted]");
}
