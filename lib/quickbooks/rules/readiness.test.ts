import { describe, expect, it } from "vitest";
import { CHECKLIST_LABELS, computeReadiness, type CheckName, type ReadinessInput } from "./readiness";
import type { ConnectionFacts } from "./steps";

const now = new Date(Date.UTC(2026, 10, 29, 12));
const ago = (days: number, hours = 0) => new Date(now.getTime() - (days * 24 + hours) * 60 * 60 * 1000);
const ahead = (days: number, hours = 0) => new Date(now.getTime() + (days * 24 + hours) * 60 * 60 * 1000);

const connected: ConnectionFacts = {
  status: "active",
  realmId: "9341452000000001",
  hasAccessToken: true,
  hasRefreshToken: true,
  accessTokenExpiresAt: ahead(0, 1),
  refreshTokenExpiresAt: ahead(99),
  refreshTokenHardExpiresAt: ahead(1500),
  authorizationStartedAt: ago(2),
  callbackAt: ago(2),
  verifiedAt: ago(0, 1),
  connectedAt: ago(2),
  lastRefreshedAt: ago(1),
  lastErrorStep: null,
  lastErrorCode: null,
  lastErrorMessage: null,
  lastErrorAt: null,
};

const ready: ReadinessInput = {
  now,
  app: {
    environment: "sandbox",
    credentialsSource: "tenant",
    clientIdSet: true,
    clientSecretSet: true,
    redirectUri: "https://connect.example.com/api/quickbooks/callback",
    expectedRedirectUri: "https://connect.example.com/api/quickbooks/callback",
  },
  discovery: { url: "https://intuit.test/.well-known/openid_sandbox_configuration", ok: true, checkedAt: ago(0, 1), error: null },
  connection: connected,
  accessTokenSeal: "current_key",
  lastCallback: { outcome: "success", errorCode: null, message: "ok", at: ago(2) },
  lastRefresh: { outcome: "success", errorCode: null, message: "ok", at: ago(1) },
  webhooks: { signatureFailures: 0, deadLetters: 0 },
  apiErrors: { recentFailures: 0 },
  reconciliation: { period: "2026-10", unexplained: [] },
  readsBlockedUntil: null,
};

const item = (input: ReadinessInput, name: CheckName) => computeReadiness(input).checklist.find((c) => c.name === name)!;
const with_ = (patch: Partial<ReadinessInput>, connection?: Partial<ConnectionFacts>): ReadinessInput => ({
  ...ready,
  ...patch,
  connection: connection ? { ...connected, ...connection } : "connection" in patch ? (patch.connection ?? null) : connected,
});

describe("computeReadiness", () => {
  it("passes all five checks, with the contract's labels in order, for a healthy tenant", () => {
    const result = computeReadiness(ready);
    expect(result.checklist.map((c) => c.name)).toEqual([...CHECKLIST_LABELS]);
    expect(result.checklist.every((c) => c.passed && c.action === null)).toBe(true);
    expect(result).toMatchObject({ indicator: "green", reasons: [] });
    for (const c of result.checklist) expect(c.detail.checked.length).toBeGreaterThan(0);
  });

  it("fails everything for a tenant with nothing configured", () => {
    const result = computeReadiness({
      ...ready,
      app: { ...ready.app, credentialsSource: "none", clientIdSet: false, clientSecretSet: false },
      discovery: null,
      connection: null,
      accessTokenSeal: null,
      lastCallback: null,
      lastRefresh: null,
    });
    expect(result.checklist.map((c) => c.passed)).toEqual([false, false, false, false, false]);
    expect(result.checklist.every((c) => c.action)).toBe(true);
    expect(result.indicator).toBe("red");
  });

  describe("OAuth configuration is set", () => {
    const name = "OAuth configuration is set";
    it.each([
      ["no client id", { app: { ...ready.app, clientIdSet: false } }, /client id.*Settings/],
      ["no client secret", { app: { ...ready.app, clientSecretSet: false } }, /client id and secret/],
      ["a relative redirect URI", { app: { ...ready.app, redirectUri: "/api/quickbooks/callback" } }, /absolute/],
      ["http in production", { app: { ...ready.app, environment: "production" as const, redirectUri: "http://connect.example.com/cb" } }, /HTTPS/],
      ["an IP address in production", { app: { ...ready.app, environment: "production" as const, redirectUri: "https://10.0.0.1/cb" } }, /HTTPS/],
      ["discovery never fetched", { discovery: null }, /Re-run checks/],
      ["discovery unreachable", { discovery: { ...ready.discovery!, ok: false, error: "network" } }, /INTUIT_DISCOVERY_URL/],
    ])("fails with %s", (_cause, patch, action) => {
      const result = item(with_(patch as Partial<ReadinessInput>), name);
      expect(result.passed).toBe(false);
      expect(result.action).toMatch(action);
    });
    it("allows http://localhost in sandbox, as Intuit does", () => {
      expect(item(with_({ app: { ...ready.app, redirectUri: "http://localhost:3000/api/quickbooks/callback" } }), name).passed).toBe(true);
    });
    it("says whose credentials it found", () => {
      expect(item(with_({ app: { ...ready.app, credentialsSource: "platform" } }), name).evidence).toMatch(/platform's/);
    });
  });

  describe("Callback redirect is validated", () => {
    const name = "Callback redirect is validated";
    it("fails when the redirect URI is not the app's callback route, naming both", () => {
      const result = item(with_({ app: { ...ready.app, redirectUri: "https://connect.example.com/wrong" } }), name);
      expect(result.passed).toBe(false);
      expect(result.evidence).toContain("https://connect.example.com/wrong");
      expect(result.action).toContain("https://connect.example.com/api/quickbooks/callback");
    });
    it("fails when no callback has come back yet", () => {
      expect(item(with_({ lastCallback: null }), name)).toMatchObject({ passed: false, action: expect.stringMatching(/Connect to QuickBooks/) });
    });
    it("fails when the most recent callback failed, with its reason", () => {
      const result = item(with_({ lastCallback: { outcome: "failure", errorCode: "access_denied", message: "cancelled", at: ago(0, 1) } }), name);
      expect(result).toMatchObject({ passed: false });
      expect(result.evidence).toMatch(/access_denied/);
    });
  });

  describe("Access token is stored", () => {
    const name = "Access token is stored";
    it("fails with no token", () => {
      expect(item(with_({ accessTokenSeal: null }, { hasAccessToken: false }), name).passed).toBe(false);
    });
    it("fails when the token does not decrypt", () => {
      expect(item(with_({ accessTokenSeal: "unreadable" }), name)).toMatchObject({ passed: false, action: expect.stringMatching(/key/) });
    });
    it("fails when sealed with a previous key, and says renewing re-seals it", () => {
      expect(item(with_({ accessTokenSeal: "previous_key" }), name)).toMatchObject({ passed: false, action: expect.stringMatching(/Renew token/) });
    });
    it("passes when expired but renewable", () => {
      expect(item(with_({}, { accessTokenExpiresAt: ago(0, 2) }), name).passed).toBe(true);
    });
    it("fails when expired and not renewable", () => {
      expect(item(with_({}, { accessTokenExpiresAt: ago(0, 2), status: "reauthorization_required" }), name).passed).toBe(false);
      expect(item(with_({}, { accessTokenExpiresAt: ago(0, 2), hasRefreshToken: false }), name).passed).toBe(false);
    });
  });

  describe("Refresh token is verified", () => {
    const name = "Refresh token is verified";
    it("fails with no refresh token", () => {
      expect(item(with_({}, { hasRefreshToken: false }), name).passed).toBe(false);
    });
    it("fails when reauthorization is required", () => {
      expect(item(with_({}, { status: "reauthorization_required" }), name)).toMatchObject({ passed: false, action: "Reconnect to QuickBooks." });
    });
    it("fails when the latest renewal failed", () => {
      const result = item(with_({ lastRefresh: { outcome: "failure", errorCode: "intuit_unavailable", message: "down", at: ago(0, 2) } }), name);
      expect(result).toMatchObject({ passed: false, action: expect.stringMatching(/Renew token/) });
    });
    it("passes again once a later renewal succeeded", () => {
      const result = item(with_({ lastRefresh: { outcome: "failure", errorCode: "x", message: "down", at: ago(3) } }, { lastRefreshedAt: ago(1) }), name);
      expect(result.passed).toBe(true);
    });
    it("fails when the refresh token was never used since this connection was made", () => {
      expect(item(with_({ lastRefresh: null }, { lastRefreshedAt: null }), name).evidence).toMatch(/not been used/);
      expect(item(with_({}, { lastRefreshedAt: ago(3), callbackAt: ago(2) }), name).passed).toBe(false);
    });
    it("fails when the last renewal is too old", () => {
      expect(item(with_({ lastRefresh: null }, { lastRefreshedAt: ago(46), callbackAt: ago(60) }), name).evidence).toMatch(/46 days ago/);
    });
    it("fails when the refresh token has expired, and says to reconnect", () => {
      expect(item(with_({}, { refreshTokenExpiresAt: ago(0, 1) }), name)).toMatchObject({ passed: false, action: "Reconnect to QuickBooks." });
    });
    it("fails when the refresh token expires within 30 days", () => {
      expect(item(with_({}, { refreshTokenExpiresAt: ahead(29) }), name).evidence).toMatch(/expires in 29 days/);
    });
  });

  describe("Sync indicator is green", () => {
    const name = "Sync indicator is green";
    it.each([
      ["not connected", with_({ connection: null }), /not connected/],
      ["reauthorization required", with_({}, { status: "reauthorization_required" }), /Reauthorization required/],
      ["disconnected", with_({}, { status: "disconnected" }), /disconnected/],
      ["not verified recently", with_({}, { verifiedAt: ago(8) }), /8 days ago/],
      ["an unresolved failure", with_({}, { lastErrorStep: "verify", lastErrorMessage: "boom", lastErrorAt: ago(0, 0.5) }), /boom/],
      ["repeated webhook signature failures", with_({ webhooks: { signatureFailures: 3, deadLetters: 0 } }), /signature/],
      ["a growing dead-letter queue", with_({ webhooks: { signatureFailures: 0, deadLetters: 2 } }), /could not be processed/],
      ["a run of API errors", with_({ apiErrors: { recentFailures: 5 } }), /API calls failed/],
      ["missing credentials", with_({ app: { ...ready.app, clientSecretSet: false } }), /credentials.*Settings/],
      ["a wrong redirect URI", with_({ app: { ...ready.app, redirectUri: "https://connect.example.com/wrong" } }), /does not match/],
      ["an unexplained reconciliation difference", with_({ reconciliation: { period: "2026-11", unexplained: ["1200 Inventory"] } }), /Reconciliation 2026-11 has unexplained differences: 1200 Inventory\./],
    ])("turns red with %s, and says why", (_cause, input, reason) => {
      const result = computeReadiness(input);
      expect(result.indicator).toBe("red");
      expect(result.reasons.join(" ")).toMatch(reason);
      const green = result.checklist.find((c) => c.name === name)!;
      expect(green.passed).toBe(false);
      expect(green.action).toBe(result.reasons[0]);
    });
    it("counts a successful call of the app as recent proof, as a Verify: an idle-but-fine connection stays green", () => {
      // Verified 10 days ago, but the daily catch-up's call succeeded yesterday: proven, green.
      expect(computeReadiness(with_({}, { verifiedAt: ago(10), provenAt: ago(1) })).indicator).toBe("green");
      // Neither for a week: red, naming the newer of the two.
      const stale = computeReadiness(with_({}, { verifiedAt: ago(10), provenAt: ago(8) }));
      expect(stale.indicator).toBe("red");
      expect(stale.reasons.join(" ")).toMatch(/The last successful call to QuickBooks was 8 days ago/);
    });
    it("names the accounts whose reconciliation differences are unexplained, in the checklist's evidence", () => {
      const result = computeReadiness(with_({ reconciliation: { period: "2026-11", unexplained: ["1200 Inventory", "2000 Trade Creditors"] } }));
      const green = result.checklist.find((c) => c.name === name)!;
      expect(green.passed).toBe(false);
      expect(green.evidence).toContain("Reconciliation 2026-11 has unexplained differences: 1200 Inventory, 2000 Trade Creditors.");
      expect(green.action).toMatch(/Explain each one on the reconciliation page/);
      // The other four checks do not depend on the ledger.
      expect(result.checklist.filter((c) => c.name !== name).every((c) => c.passed)).toBe(true);
    });
    it("names at most ten accounts and counts the rest", () => {
      const unexplained = Array.from({ length: 13 }, (_, i) => `${1000 + i} Account ${i}`);
      const { reasons } = computeReadiness(with_({ reconciliation: { period: "2026-11", unexplained } }));
      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toContain("1009 Account 9 and 3 more.");
      expect(reasons[0]).not.toContain("1010 Account 10");
    });
    it("stays green when every difference is explained, or the tenant has never reconciled", () => {
      expect(computeReadiness(with_({ reconciliation: { period: "2026-11", unexplained: [] } })).indicator).toBe("green");
      expect(computeReadiness(with_({ reconciliation: null })).indicator).toBe("green");
    });
    it("tolerates a few webhook failures and API errors below the limits", () => {
      expect(computeReadiness(with_({ webhooks: { signatureFailures: 2, deadLetters: 0 }, apiErrors: { recentFailures: 4 } })).indicator).toBe("green");
    });
  });

  describe("Intuit's monthly read block", () => {
    const until = new Date(Date.UTC(2026, 11, 1));
    it("turns the indicator red with the reason, when reads resume and what to do", () => {
      const result = computeReadiness(with_({ readsBlockedUntil: until }));
      expect(result.indicator).toBe("red");
      expect(result.reasons).toHaveLength(1);
      expect(result.reasons[0]).toMatch(/^Intuit's monthly read quota is used up: QuickBooks reads are blocked until 2026-12-01 00:00 UTC/);
      expect(result.reasons[0]).toMatch(/upgrade the Intuit app's tier/);
      const green = result.checklist.find((c) => c.name === "Sync indicator is green")!;
      expect(green.action).toBe(result.reasons[0]);
      // The connection itself is fine: the other four checks pass.
      expect(result.checklist.filter((c) => c !== green).every((c) => c.passed)).toBe(true);
    });
    it("says nothing once the month has turned, or where no Intuit app is used", () => {
      expect(computeReadiness(with_({ readsBlockedUntil: now })).indicator).toBe("green");
      const none = computeReadiness(with_({ readsBlockedUntil: until, app: { ...ready.app, credentialsSource: "none" } }));
      expect(none.reasons.some((r) => r.includes("monthly read quota"))).toBe(false);
    });
  });
});
