import type { ConnectionStatus } from "@/db/schema/index";

/**
 * The connection's state machine: not_connected → authorizing → callback_received → verified → active, and from
 * active to reauthorization_required (Intuit refused the grant) or disconnected (we disconnected).
 */
const ALLOWED: Record<ConnectionStatus, readonly ConnectionStatus[]> = {
  not_connected: ["authorizing"],
  authorizing: ["authorizing", "callback_received"],
  callback_received: ["authorizing", "callback_received", "verified", "reauthorization_required", "disconnected"],
  verified: ["active"],
  active: ["active", "callback_received", "reauthorization_required", "disconnected"],
  reauthorization_required: ["authorizing", "callback_received", "disconnected"],
  disconnected: ["authorizing"],
};

export function canTransition(from: ConnectionStatus, to: ConnectionStatus): boolean {
  return ALLOWED[from].includes(to);
}

export class InvalidTransitionError extends Error {
  constructor(
    readonly from: ConnectionStatus,
    readonly to: ConnectionStatus,
  ) {
    super(`A QuickBooks connection cannot go from ${from} to ${to}.`);
    this.name = "InvalidTransitionError";
  }
}

export function assertTransition(from: ConnectionStatus, to: ConnectionStatus): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError(from, to);
}

/**
 * Starting an authorization does not take a working connection down: an active or reauthorization-required
 * connection keeps its status until the new callback succeeds.
 */
export function statusWhenAuthorizing(current: ConnectionStatus): ConnectionStatus {
  return current === "active" || current === "reauthorization_required" || current === "callback_received"
    ? current
    : "authorizing";
}
