import { AppError } from "@/lib/errors";

// The ledger's refusals, as its use-cases and routes raise them: one code, one status, one sentence that says what to
// do. A route that finds a malformed id in its path answers with the same not-found as for an id that names no row.

export function ledgerAccountNotFound(): AppError {
  return new AppError("not_found", 404, "That AWRA account does not exist for this tenant.");
}

export function reconciliationNotFound(): AppError {
  return new AppError("not_found", 404, "That reconciliation does not exist.");
}

export function reconciliationLineNotFound(): AppError {
  return new AppError("not_found", 404, "That reconciliation line does not exist.");
}

export function reconciliationClosed(): AppError {
  return new AppError("reconciliation_closed", 409, "This reconciliation is closed: the month-end snapshot cannot change. Start a new reconciliation instead.");
}

export function syncRunNotFound(): AppError {
  return new AppError("not_found", 404, "That sync run does not exist.");
}

export function syncRefused(message: string): AppError {
  return new AppError("sync_refused", 409, message);
}
