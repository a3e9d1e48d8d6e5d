import { describe, expect, it } from "vitest";
import {
  MAX_REVOCATION_ATTEMPTS,
  isDueForRenewal,
  isRevocationRetryDue,
  renewalReason,
  revocationBackoffMs,
  type RenewalFacts,
  type RevocationFacts,
} from "./due-rules";

const NOW = new Date("2026-03-01T12:00:00Z");
const MIN = 60 * 1000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);

/** An active connection, renewed two hours ago, idle, with nothing close to expiry. */
function facts(overrides: Partial<RenewalFacts> = {}): RenewalFacts {
  return {
    status: "active",
    hasRefreshToken: true,
    accessTokenExpiresAt: at(30 * MIN),
    refreshTokenExpiresAt: at(99 * DAY),
    refreshTokenHardExpiresAt: at(4 * 365 * DAY),
    lastUsedAt: null,
    lastRefreshedAt: at(-2 * HOUR),
    ...overrides,
  };
}

describe("renewal rules", () => {
  it("leaves a healthy connection alone", () => {
    expect(renewalReason(facts(), NOW)).toBeNull();
    expect(renewalReason(facts({ lastUsedAt: at(-MIN) }), NOW)).toBeNull();
  });

  describe("in use: the access token is renewed within 10 minutes of its expiry", () => {
    it("renews an expiring access token of a connection used in the last 24 hours", () => {
      const used = { lastUsedAt: at(-23 * HOUR) };
      expect(renewalReason(facts({ ...used, accessTokenExpiresAt: at(9 * MIN) }), NOW)).toBe("access_token_expiring");
      expect(renewalReason(facts({ ...used, accessTokenExpiresAt: at(-HOUR) }), NOW)).toBe("access_token_expiring");
      expect(renewalReason(facts({ ...used, accessTokenExpiresAt: null }), NOW)).toBe("access_token_expiring");
    });

    it("not before the 10-minute window", () => {
      expect(renewalReason(facts({ lastUsedAt: at(-MIN), accessTokenExpiresAt: at(10 * MIN) }), NOW)).toBeNull();
    });

    it("not for an idle connection (last used more than 24 hours ago, or never)", () => {
      expect(renewalReason(facts({ lastUsedAt: at(-25 * HOUR), accessTokenExpiresAt: at(MIN) }), NOW)).toBeNull();
      expect(renewalReason(facts({ lastUsedAt: null, accessTokenExpiresAt: at(-DAY) }), NOW)).toBeNull();
    });

    it("is not held back by the refresh-token cooldown", () => {
      expect(renewalReason(facts({ lastUsedAt: at(-MIN), accessTokenExpiresAt: at(MIN), lastRefreshedAt: at(-MIN) }), NOW)).toBe(
        "access_token_expiring",
      );
    });
  });

  describe("idle or not: the refresh token is renewed when less than 60 days remain", () => {
    it("renews it, whatever the access token", () => {
      expect(renewalReason(facts({ refreshTokenExpiresAt: at(59 * DAY) }), NOW)).toBe("refresh_token_expiring");
      expect(renewalReason(facts({ refreshTokenExpiresAt: at(59 * DAY), accessTokenExpiresAt: at(-40 * DAY), lastRefreshedAt: at(-41 * DAY) }), NOW)).toBe(
        "refresh_token_expiring",
      );
      expect(renewalReason(facts({ refreshTokenExpiresAt: null }), NOW)).toBe("refresh_token_expiring");
    });

    it("not with 60 days or more left", () => {
      expect(renewalReason(facts({ refreshTokenExpiresAt: at(60 * DAY) }), NOW)).toBeNull();
    });

    it("at most hourly, should Intuit ever grant less than 60 days", () => {
      expect(renewalReason(facts({ refreshTokenExpiresAt: at(30 * DAY), lastRefreshedAt: at(-59 * MIN) }), NOW)).toBeNull();
      expect(renewalReason(facts({ refreshTokenExpiresAt: at(30 * DAY), lastRefreshedAt: at(-HOUR) }), NOW)).toBe("refresh_token_expiring");
    });
  });

  describe("the 5-year hard cap is never a reason", () => {
    it("a hard cap close at hand does not make a connection due", () => {
      expect(renewalReason(facts({ refreshTokenHardExpiresAt: at(DAY), refreshTokenExpiresAt: at(DAY) }), NOW)).toBeNull();
      expect(renewalReason(facts({ refreshTokenHardExpiresAt: at(-DAY), refreshTokenExpiresAt: at(-DAY) }), NOW)).toBeNull();
    });

    it("a refresh token that expires at the cap is not renewed again: it would gain nothing", () => {
      expect(renewalReason(facts({ refreshTokenExpiresAt: at(40 * DAY), refreshTokenHardExpiresAt: at(40 * DAY) }), NOW)).toBeNull();
      expect(renewalReason(facts({ refreshTokenExpiresAt: at(40 * DAY), refreshTokenHardExpiresAt: at(40 * DAY + 23 * HOUR) }), NOW)).toBeNull();
    });

    it("but one that a renewal can still extend towards the cap is", () => {
      expect(renewalReason(facts({ refreshTokenExpiresAt: at(40 * DAY), refreshTokenHardExpiresAt: at(50 * DAY) }), NOW)).toBe("refresh_token_expiring");
    });

    it("near the cap, a connection in use still gets its access token renewed", () => {
      const capped = { refreshTokenExpiresAt: at(10 * DAY), refreshTokenHardExpiresAt: at(10 * DAY) };
      expect(renewalReason(facts({ ...capped, lastUsedAt: at(-MIN), accessTokenExpiresAt: at(MIN) }), NOW)).toBe("access_token_expiring");
    });
  });

  it("never renews a connection that needs reauthorization, is disconnected or has no refresh token", () => {
    const due = { lastUsedAt: at(-MIN), accessTokenExpiresAt: at(MIN), refreshTokenExpiresAt: at(DAY) };
    expect(isDueForRenewal(facts(due), NOW)).toBe(true);
    expect(isDueForRenewal(facts({ ...due, status: "reauthorization_required" }), NOW)).toBe(false);
    expect(isDueForRenewal(facts({ ...due, status: "disconnected" }), NOW)).toBe(false);
    expect(isDueForRenewal(facts({ ...due, hasRefreshToken: false }), NOW)).toBe(false);
    // Tokens stored but not verified yet: kept alive too, so that "Verify connection" still works tomorrow.
    expect(isDueForRenewal(facts({ ...due, status: "callback_received" }), NOW)).toBe(true);
  });
});

describe("revocation retry rules", () => {
  const revocation = (overrides: Partial<RevocationFacts> = {}): RevocationFacts => ({
    status: "failed",
    hasToken: true,
    attempts: 1,
    createdAt: at(-HOUR),
    lastAttemptAt: at(-HOUR),
    ...overrides,
  });

  it("backs off 1, 1, 2, 4 … minutes, at most 6 hours", () => {
    expect([0, 1, 2, 3, 4, 9].map(revocationBackoffMs)).toEqual([MIN, MIN, 2 * MIN, 4 * MIN, 8 * MIN, 256 * MIN]);
    expect(revocationBackoffMs(10)).toBe(6 * HOUR);
  });

  it("retries a failed revocation once its backoff has passed", () => {
    expect(isRevocationRetryDue(revocation({ attempts: 3, lastAttemptAt: at(-4 * MIN) }), NOW)).toBe(true);
    expect(isRevocationRetryDue(revocation({ attempts: 3, lastAttemptAt: at(-3 * MIN) }), NOW)).toBe(false);
  });

  it("leaves a fresh pending revocation to the disconnect that is trying it", () => {
    expect(isRevocationRetryDue(revocation({ status: "pending", attempts: 0, lastAttemptAt: null, createdAt: at(-10 * 1000) }), NOW)).toBe(false);
    expect(isRevocationRetryDue(revocation({ status: "pending", attempts: 0, lastAttemptAt: null, createdAt: at(-2 * MIN) }), NOW)).toBe(true);
  });

  it("gives up after the last attempt, and never retries a confirmed or emptied one", () => {
    expect(isRevocationRetryDue(revocation({ attempts: MAX_REVOCATION_ATTEMPTS - 1, lastAttemptAt: at(-DAY) }), NOW)).toBe(true);
    expect(isRevocationRetryDue(revocation({ attempts: MAX_REVOCATION_ATTEMPTS, lastAttemptAt: at(-DAY) }), NOW)).toBe(false);
    expect(isRevocationRetryDue(revocation({ status: "revoked" }), NOW)).toBe(false);
    expect(isRevocationRetryDue(revocation({ hasToken: false }), NOW)).toBe(false);
  });
});
