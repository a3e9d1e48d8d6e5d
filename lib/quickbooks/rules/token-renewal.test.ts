import { describe, expect, it } from "vitest";
import { IntuitOAuthError } from "@/lib/intuit/oauth";
import { classifyRefreshFailure, decideRenewal, hasTimeLeft, REFRESH_MARGIN_MS } from "./token-renewal";

const now = new Date("2026-12-07T12:00:00Z");
const expiringIn = (ms: number) => new Date(now.getTime() + ms);
const fresh = { accessTokenExpiresAt: expiringIn(30 * 60_000), accessTokenEnc: "sealed-a" };
const expiring = { accessTokenExpiresAt: expiringIn(REFRESH_MARGIN_MS - 1), accessTokenEnc: "sealed-a" };

describe("hasTimeLeft", () => {
  it("needs more than the margin left", () => {
    expect(hasTimeLeft({ accessTokenExpiresAt: expiringIn(REFRESH_MARGIN_MS + 1) }, now)).toBe(true);
    expect(hasTimeLeft({ accessTokenExpiresAt: expiringIn(REFRESH_MARGIN_MS) }, now)).toBe(false);
    expect(hasTimeLeft({ accessTokenExpiresAt: null }, now)).toBe(false);
  });
});

describe("decideRenewal", () => {
  it("always renews a token within the margin of its expiry, whatever was asked", () => {
    for (const request of [{ force: false }, { force: true }, { force: true, refusedToken: "sealed-b" }, { force: false, stillDue: false }]) {
      expect(decideRenewal(expiring, now, request)).toBe("renew");
    }
  });

  it("keeps a fresh token that someone renewed while this caller waited for the lock", () => {
    expect(decideRenewal(fresh, now, { force: false })).toBe("keep");
  });

  it("renews a fresh token on request", () => {
    expect(decideRenewal(fresh, now, { force: true })).toBe("renew");
  });

  it("after a 401, renews the refused token but keeps one that has replaced it since", () => {
    expect(decideRenewal(fresh, now, { force: true, refusedToken: "sealed-a" })).toBe("renew");
    expect(decideRenewal(fresh, now, { force: true, refusedToken: "sealed-old" })).toBe("keep");
  });

  it("lets a scheduled renewal stand down when another instance already did it, even when forced", () => {
    expect(decideRenewal(fresh, now, { force: true, stillDue: false })).toBe("keep");
    expect(decideRenewal(fresh, now, { force: true, stillDue: true })).toBe("renew");
  });
});

describe("classifyRefreshFailure", () => {
  const refused = (code: string, status: number | null) => new IntuitOAuthError({ code, status, intuitTid: "tid-1", endpoint: "token" });

  it("asks for a new consent when Intuit refuses the grant", () => {
    const failure = classifyRefreshFailure(refused("invalid_grant", 400));
    expect(failure).toMatchObject({ code: "invalid_grant", connection: "reauthorize" });
    expect(failure.error.code).toBe("reauthorization_required");
  });

  it("records a credentials problem on the connection without dropping the grant", () => {
    const failure = classifyRefreshFailure(refused("invalid_client", 401));
    expect(failure).toMatchObject({ code: "invalid_client", connection: "record_error" });
    expect(failure.error).toMatchObject({ code: "invalid_client", status: 502 });
  });

  it("leaves the connection alone when Intuit is busy, failing or out of reach", () => {
    for (const [code, status] of [["server_error", 503], ["network", null], ["timeout", null], ["invalid_request", 429]] as const) {
      const failure = classifyRefreshFailure(refused(code, status));
      expect(failure.connection).toBe("unchanged");
      expect(failure.error).toMatchObject({ code: "intuit_unavailable", status: 503 });
    }
  });

  it("calls any other refusal a failed exchange and leaves the connection alone", () => {
    expect(classifyRefreshFailure(refused("unsupported_grant_type", 400))).toMatchObject({ code: "token_exchange_failed", connection: "unchanged" });
  });
});
