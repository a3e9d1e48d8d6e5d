import { describe, expect, it } from "vitest";
import { connectionStatusEnum, type ConnectionStatus } from "@/db/schema";
import {
  allowedActions,
  assertTransition,
  canTransition,
  holdsGrant,
  InvalidTransitionError,
  isReauthorizationReason,
  REAUTHORIZATION,
  statusWhenAuthorizing,
  TRANSITION_REASONS,
  type TransitionReason,
} from "./connection-state";

const STATUSES = connectionStatusEnum.enumValues;

describe("connection state machine", () => {
  it("walks the connect path: Auth, Callback, then Verify and Connect in one move", () => {
    expect(canTransition("not_connected", "authorizing")).toBe(true);
    expect(canTransition("authorizing", "callback_received")).toBe(true);
    expect(canTransition("callback_received", "active")).toBe(true);
  });

  it("refuses shortcuts to active: only tokens that answered CompanyInfo make a connection active", () => {
    for (const from of STATUSES.filter((s) => s !== "callback_received" && s !== "active")) expect(canTransition(from, "active")).toBe(false);
    expect(() => assertTransition("not_connected", "active")).toThrow(InvalidTransitionError);
    expect(() => assertTransition("disconnected", "active")).toThrow(/cannot go from disconnected to active/);
  });

  it("only a connection holding a grant can lose it to Intuit", () => {
    for (const from of STATUSES) {
      const selfMove = from === "reauthorization_required";
      expect(canTransition(from, "reauthorization_required")).toBe(holdsGrant(from) || selfMove);
    }
  });

  it("never goes back to not_connected, and disconnecting twice is not a move", () => {
    for (const from of STATUSES) expect(canTransition(from, "not_connected")).toBe(false);
    expect(canTransition("disconnected", "disconnected")).toBe(false);
  });

  it("allows every move that starting a Connect makes", () => {
    for (const from of STATUSES) expect(canTransition(from, statusWhenAuthorizing(from))).toBe(true);
  });

  it("leaves a working connection up while a new authorization is under way", () => {
    expect(statusWhenAuthorizing("active")).toBe("active");
    expect(statusWhenAuthorizing("callback_received")).toBe("callback_received");
    expect(statusWhenAuthorizing("reauthorization_required")).toBe("reauthorization_required");
    expect(statusWhenAuthorizing("not_connected")).toBe("authorizing");
    expect(statusWhenAuthorizing("disconnected")).toBe("authorizing");
  });
});

describe("transition reasons", () => {
  it("gives every move to reauthorization_required a message for the steps, and no other move one", () => {
    for (const reason of Object.keys(TRANSITION_REASONS) as TransitionReason[]) {
      const reauthorizes = isReauthorizationReason(reason);
      expect(reauthorizes).toBe(TRANSITION_REASONS[reason].audit === "connection.reauthorization_required");
      if (reauthorizes) expect(REAUTHORIZATION[reason].message).toMatch(/^Reauthorization required: .*Reconnect/);
    }
  });
});

describe("allowed actions", () => {
  const actionsOf = (status: ConnectionStatus | null, extra: { realmId?: string; revocationFailed?: boolean } = {}) =>
    allowedActions({ status, realmId: extra.realmId ?? null, revocationFailed: extra.revocationFailed ?? false });

  it("offers Connect until the connection is active, then hides it and offers Disconnect (Intuit's rule)", () => {
    expect(actionsOf(null)).toEqual(["connect"]);
    expect(actionsOf("authorizing")).toEqual(["connect"]);
    expect(actionsOf("active", { realmId: "1" })).toEqual(["verify", "renew", "disconnect", "send_test_webhook"]);
  });

  it("lets tokens waiting for Verify be verified, renewed or dropped, and a refused grant only be replaced or dropped", () => {
    expect(actionsOf("callback_received", { realmId: "1" })).toEqual(["connect", "verify", "renew", "disconnect", "send_test_webhook"]);
    expect(actionsOf("reauthorization_required", { realmId: "1" })).toEqual(["connect", "disconnect", "send_test_webhook"]);
  });

  it("offers a failed revocation's retry whatever the connection has become", () => {
    expect(actionsOf("disconnected", { revocationFailed: true })).toEqual(["connect", "retry_revocation"]);
    expect(actionsOf("active", { realmId: "1", revocationFailed: true })).toContain("retry_revocation");
  });
});
