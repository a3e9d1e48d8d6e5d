import { describe, expect, it } from "vitest";
import { deriveIndicator, deriveSteps, hardExpiryWarning, type ConnectionFacts } from "./steps";

const t = (minute: number) => new Date(Date.UTC(2026, 10, 29, 10, minute));
const base: ConnectionFacts = {
  status: "not_connected",
  realmId: null,
  hasAccessToken: false,
  hasRefreshToken: false,
  accessTokenExpiresAt: null,
  refreshTokenExpiresAt: null,
  refreshTokenHardExpiresAt: null,
  authorizationStartedAt: null,
  callbackAt: null,
  verifiedAt: null,
  connectedAt: null,
  lastRefreshedAt: null,
  lastErrorStep: null,
  lastErrorCode: null,
  lastErrorMessage: null,
  lastErrorAt: null,
};
const active: ConnectionFacts = {
  ...base,
  status: "active",
  realmId: "9341452000000001",
  hasAccessToken: true,
  hasRefreshToken: true,
  accessTokenExpiresAt: t(60),
  refreshTokenExpiresAt: new Date(Date.UTC(2027, 2, 1)),
  authorizationStartedAt: t(1),
  callbackAt: t(2),
  verifiedAt: t(3),
  connectedAt: t(3),
};
const states = (c: ConnectionFacts | null) => deriveSteps(c).map((s) => `${s.name}:${s.state}`);

describe("deriveSteps", () => {
  it("starts with nothing done", () => {
    expect(states(null)).toEqual(["Auth:not_started", "Callback:not_started", "Verify:not_started", "Connect:not_started"]);
  });

  it("shows the callback awaited once authorization started", () => {
    expect(states({ ...base, status: "authorizing", authorizationStartedAt: t(1) })).toEqual([
      "Auth:done",
      "Callback:in_progress",
      "Verify:not_started",
      "Connect:not_started",
    ]);
  });

  it("marks all four done with their times when active", () => {
    const steps = deriveSteps(active);
    expect(steps.map((s) => s.state)).toEqual(["done", "done", "done", "done"]);
    expect(steps[2]!.at).toBe(t(3).toISOString());
  });

  it("shows a failed callback with its reason and what to do", () => {
    const steps = deriveSteps({
      ...base,
      status: "authorizing",
      authorizationStartedAt: t(1),
      lastErrorStep: "callback",
      lastErrorCode: "access_denied",
      lastErrorMessage: "You cancelled at Intuit.",
      lastErrorAt: t(2),
    });
    expect(steps[1]).toMatchObject({ state: "failed", reason: "You cancelled at Intuit." });
    expect(steps[1]!.action).toMatch(/Connect to QuickBooks/);
  });

  it("forgets a callback failure once a later callback succeeded", () => {
    const steps = deriveSteps({ ...active, lastErrorStep: "callback", lastErrorMessage: "old", lastErrorAt: t(1) });
    expect(steps[1]!.state).toBe("done");
  });

  it("shows a verify failure newer than the last success", () => {
    const steps = deriveSteps({ ...active, status: "callback_received", verifiedAt: null, lastErrorStep: "verify", lastErrorMessage: "Intuit refused", lastErrorAt: t(4) });
    expect(steps[2]).toMatchObject({ state: "failed", reason: "Intuit refused" });
    expect(steps[3]!.state).toBe("not_started");
  });

  it("fails the Connect step when reauthorization is required", () => {
    expect(deriveSteps({ ...active, status: "reauthorization_required" })[3]!.state).toBe("failed");
  });
});

describe("deriveIndicator", () => {
  const now = t(30);
  it("is green only for an active, verified connection with tokens", () => {
    expect(deriveIndicator(active, now)).toEqual({ indicator: "green", reasons: [] });
  });
  it("is red with a reason for every other case", () => {
    expect(deriveIndicator(null, now).indicator).toBe("red");
    expect(deriveIndicator({ ...active, status: "callback_received" }, now).reasons[0]).toMatch(/not been verified/);
    expect(deriveIndicator({ ...active, status: "reauthorization_required" }, now).reasons[0]).toMatch(/Reauthorization required/);
    expect(deriveIndicator({ ...active, status: "disconnected" }, now).reasons[0]).toMatch(/disconnected/);
    expect(deriveIndicator({ ...active, verifiedAt: null }, now).reasons[0]).toMatch(/never been verified/);
    expect(deriveIndicator({ ...active, hasRefreshToken: false }, now).reasons[0]).toMatch(/No tokens/);
    expect(deriveIndicator({ ...active, refreshTokenExpiresAt: t(10) }, now).reasons[0]).toMatch(/expired/);
    expect(deriveIndicator({ ...active, lastErrorStep: "verify", lastErrorMessage: "boom", lastErrorAt: t(20) }, now).reasons[0]).toMatch(/boom/);
  });
});

describe("hardExpiryWarning", () => {
  const now = new Date(Date.UTC(2028, 9, 1));
  const days = (n: number) => new Date(now.getTime() + n * 24 * 60 * 60 * 1000);
  it("is silent more than 30 days before Intuit's five-year cap", () => {
    expect(hardExpiryWarning({ ...active, refreshTokenHardExpiresAt: days(31) }, now)).toBeNull();
    expect(hardExpiryWarning({ ...active, refreshTokenHardExpiresAt: null }, now)).toBeNull();
  });
  it("warns within 30 days, with the date and the reconnect", () => {
    expect(hardExpiryWarning({ ...active, refreshTokenHardExpiresAt: days(30) }, now)).toMatch(/ends on 2028-10-31 \(in 30 days\).*Reconnect/);
    expect(hardExpiryWarning({ ...active, refreshTokenHardExpiresAt: days(1) }, now)).toMatch(/in 1 day\)/);
  });
  it("says when the cap has been reached", () => {
    expect(hardExpiryWarning({ ...active, refreshTokenHardExpiresAt: days(-2) }, now)).toMatch(/was reached/);
  });
  it("says nothing for a connection without tokens", () => {
    expect(hardExpiryWarning({ ...active, hasRefreshToken: false, refreshTokenHardExpiresAt: days(3) }, now)).toBeNull();
  });
});
