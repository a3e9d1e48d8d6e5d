import { AppError } from "@/lib/errors";

// The connection's errors, as every use-case and route raises them: one code, one status, one sentence that says
// what to do. Raised by the token lifecycle, Verify, catch-ups and syncs alike.

export function notConnected(): AppError {
  return new AppError("not_connected", 409, "This tenant has no QuickBooks connection. Click “Connect to QuickBooks” first.");
}

export function reauthorizationRequired(): AppError {
  return new AppError(
    "reauthorization_required",
    409,
    "QuickBooks no longer accepts this connection (it was disconnected in QuickBooks or its authorization expired). Reconnect to QuickBooks.",
  );
}

export function discoveryUnavailable(cause: unknown): AppError {
  return new AppError(
    "discovery_unavailable",
    502,
    "Intuit's configuration document could not be loaded. Check INTUIT_DISCOVERY_URL and try again.",
    { cause },
  );
}
