import type { ConnectionStatus } from "@/db/schema";

/**
 * The connection's state machine, as the product moves it. Every move goes through `transitionConnection`
 * (lib/quickbooks/store/connections.ts), which refuses one this table does not allow.
 *
 *   not_connected → authorizing → callback_received → active
 *   active → reauthorization_required (Intuit refused the grant, or the tenant changed its Intuit app) → …
 *   any connection holding or seeking a grant → disconnected (Disconnect in the console)
 *
 * Verify and Connect are one move (callback_received → active): the profile is flagged active in the transaction
 * that records the successful CompanyInfo call, so there is no state between them.
 *
 * Self-moves are real: a Connect started while a connection is live keeps its status (the new consent may be
 * abandoned) but records the attempt; a second callback for a live connection stores the new tokens.
 */
const ALLOWED: Readonly<Record<ConnectionStatus, readonly ConnectionStatus[]>> = {
  // The row is created not_connected and moved to authorizing in the same transaction.
  not_connected: ["authorizing"],
  authorizing: ["authorizing", "callback_received", "disconnected"],
  callback_received: ["callback_received", "active", "reauthorization_required", "disconnected"],
  // active → callback_received: a callback for another company; its tokens must be verified before it is active.
  active: ["active", "callback_received", "reauthorization_required", "disconnected"],
  reauthorization_required: ["reauthorization_required", "callback_received", "disconnected"],
  // disconnected → callback_received: the consent of a Connect started before the disconnect came back after it.
  disconnected: ["authorizing", "callback_received"],
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
 * Starting an authorization does not take a working connection down: a connection that holds tokens (or needs a
 * new consent) keeps its status until the new callback succeeds.
 */
export function statusWhenAuthorizing(current: ConnectionStatus): ConnectionStatus {
  return holdsGrant(current) || current === "reauthorization_required" ? current : "authorizing";
}

/** The connection holds tokens Intuit may still honour: they can be used, verified, renewed and revoked. */
export function holdsGrant(status: ConnectionStatus): boolean {
  return status === "active" || status === "callback_received";
}

/**
 * Why a connection moves: each reason is one audit action, and says what happens to the error shown on the steps.
 * `clear`: the move resolves whatever failed before; `keep`: it leaves it; `set`: it records why (REAUTHORIZATION).
 */
export const TRANSITION_REASONS = {
  authorization_started: { audit: "connection.authorization_started", error: "keep" },
  tokens_stored: { audit: "connection.tokens_stored", error: "clear" },
  verified: { audit: "connection.verified", error: "clear" },
  disconnected: { audit: "connection.disconnected", error: "clear" },
  // Tokens stored for a company that was never proven (refused by QuickBooks, or taken by another tenant meanwhile).
  claim_dropped: { audit: "connection.claim_dropped", error: "set" },
  grant_refused: { audit: "connection.reauthorization_required", error: "set" },
  token_refused_after_renewal: { audit: "connection.reauthorization_required", error: "set" },
  credentials_changed: { audit: "connection.reauthorization_required", error: "set" },
} as const;
export type TransitionReason = keyof typeof TRANSITION_REASONS;
export type ReauthorizationReason = Exclude<
  { [R in TransitionReason]: (typeof TRANSITION_REASONS)[R]["error"] extends "set" ? R : never }[TransitionReason],
  "claim_dropped"
>;

/** What the steps show after a move to reauthorization_required, by reason: plain words and what to do. */
export const REAUTHORIZATION: Readonly<Record<ReauthorizationReason, { step: "refresh"; code: string; message: string }>> = {
  grant_refused: {
    step: "refresh",
    code: "invalid_grant",
    message: "Reauthorization required: QuickBooks refused the refresh token (disconnected in QuickBooks, or expired). Reconnect.",
  },
  token_refused_after_renewal: {
    step: "refresh",
    code: "unauthorized_after_refresh",
    message: "Reauthorization required: QuickBooks refused a freshly renewed token. Reconnect to QuickBooks.",
  },
  credentials_changed: {
    step: "refresh",
    code: "credentials_changed",
    message: "Reauthorization required: the Intuit app's credentials changed. Reconnect so the tokens come from the new app.",
  },
};

/** A reason that moves the connection to reauthorization_required and records why. */
export function isReauthorizationReason(reason: TransitionReason): reason is ReauthorizationReason {
  return reason in REAUTHORIZATION;
}

/** What a person can do with the connection in its current state; the console shows these and no others. */
export const CONNECTION_ACTIONS = ["connect", "verify", "renew", "disconnect", "retry_revocation", "send_test_webhook"] as const;
export type ConnectionAction = (typeof CONNECTION_ACTIONS)[number];

export interface ActionFacts {
  status: ConnectionStatus | null;
  realmId: string | null;
  revocationFailed: boolean;
}

/**
 * The actions the state allows, before the role is asked. Intuit's rule: once connected, hide Connect and show
 * Disconnect. A failed revocation at Intuit can be retried whatever the connection has become since.
 */
export function allowedActions({ status, realmId, revocationFailed }: ActionFacts): ConnectionAction[] {
  const actions: ConnectionAction[] = [];
  if (status !== "active") actions.push("connect");
  if (status && holdsGrant(status)) actions.push("verify", "renew");
  if (status && (holdsGrant(status) || status === "reauthorization_required")) actions.push("disconnect");
  if (revocationFailed) actions.push("retry_revocation");
  if (realmId) actions.push("send_test_webhook");
  return actions;
}
