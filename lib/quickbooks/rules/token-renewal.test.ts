import { describe, expect, it } from "vitest";
import { IntuitOAuthError } from "@/lib/intuit/oauth";
import {
  classifyRefreshFailure,
  decideRenewal,
  hasTimeLeft,
  mayResendRefresh,
  REFRESH_MARGIN_MS,
  refreshAnswerMayBeLost,
  settleRefusal,
  settleRenewedTokens,
  type SettleFacts,
} from "./token-renewal";

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

describe("sending a refresh again", () => {
  const failed = (init: { code: string; status?: number | null; cause?: unknown }) =>
    new IntuitOAuthError({ code: init.code, status: init.status ?? null, intuitTid: null, endpoint: "token", cause: init.cause });
  /** What undici's fetch rejects with: a TypeError whose cause is the socket's error. */
  const fetchFailed = (code: string) => Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error(`connect ${code}`), { code }) });

  it("sends again what never reached Intuit: a refused connection, an unknown host, a connect timeout, every address refused", () => {
    for (const code of ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"]) {
      const failure = failed({ code: "network", cause: fetchFailed(code) });
      expect(mayResendRefresh(failure)).toBe(true);
      expect(refreshAnswerMayBeLost(failure)).toBe(false);
    }
    const everyAddress = Object.assign(new TypeError("fetch failed"), { cause: new AggregateError([fetchFailed("ECONNREFUSED").cause, fetchFailed("ECONNREFUSED").cause]) });
    expect(mayResendRefresh(failed({ code: "network", cause: everyAddress }))).toBe(true);
  });

  it("sends again what Intuit answered with an error, which issues no tokens: 429, 500, 502, 503", () => {
    for (const status of [429, 500, 502, 503]) expect(mayResendRefresh(failed({ code: "server_error", status }))).toBe(true);
  });

  it("never sends again a refresh whose answer may be lost: a timeout, a connection cut after sending, a gateway timeout", () => {
    const lost = [failed({ code: "timeout" }), failed({ code: "network", cause: fetchFailed("UND_ERR_SOCKET") }), failed({ code: "network" }), failed({ code: "server_error", status: 504 })];
    for (const failure of lost) {
      expect(mayResendRefresh(failure)).toBe(false);
      expect(refreshAnswerMayBeLost(failure)).toBe(true);
      expect(classifyRefreshFailure(failure).error.userMessage).toMatch(/may still have acted on it, so the request was not sent again/);
    }
  });

  it("never sends again a refusal, a cancellation, or anything that is not Intuit's", () => {
    for (const failure of [failed({ code: "invalid_grant", status: 400 }), failed({ code: "invalid_client", status: 401 }), failed({ code: "aborted" }), new Error("bug")]) {
      expect(mayResendRefresh(failure)).toBe(false);
    }
  });
});

describe("settling a renewal on the row as it is once Intuit answered", () => {
  const asLeased: SettleFacts = { holdsGrant: true, sameRefreshToken: true, sameCompany: true, leaseTakenOver: false };

  it("stores the answer while the row holds the refresh token that was sent, even when another renewal has taken the lease", () => {
    expect(settleRenewedTokens(asLeased, true)).toBe("store");
    expect(settleRenewedTokens({ ...asLeased, leaseTakenOver: true }, true)).toBe("store");
  });

  it("drops the answer when the row holds a newer grant or pair for the same company: revoking it could end that one", () => {
    expect(settleRenewedTokens({ ...asLeased, sameRefreshToken: false }, true)).toBe("drop");
  });

  it("revokes a rotated answer for a grant the row let go of (disconnected, another company, reconnect asked), drops an unrotated one", () => {
    for (const facts of [{ ...asLeased, holdsGrant: false }, { ...asLeased, sameRefreshToken: false, sameCompany: false }]) {
      expect(settleRenewedTokens(facts, true)).toBe("revoke");
      expect(settleRenewedTokens(facts, false)).toBe("drop");
    }
  });

  it("applies a refusal only to the grant it speaks for, tries the stored pair once when the row has another, and never reacts to a passing failure", () => {
    const refused = (code: string, status: number) => classifyRefreshFailure(new IntuitOAuthError({ code, status, intuitTid: null, endpoint: "token" }));
    const grant = refused("invalid_grant", 400);
    expect(settleRefusal(asLeased, grant)).toBe("apply");
    expect(settleRefusal({ ...asLeased, sameRefreshToken: false }, grant)).toBe("retry_with_stored");
    expect(settleRefusal({ ...asLeased, holdsGrant: false }, grant)).toBe("log_only");
    // Another renewal holds the lease now and may have the answer that made this token stale.
    expect(settleRefusal({ ...asLeased, leaseTakenOver: true }, grant)).toBe("log_only");
    expect(settleRefusal({ ...asLeased, sameRefreshToken: false }, refused("invalid_client", 401))).toBe("apply");
    expect(settleRefusal(asLeased, refused("server_error", 503))).toBe("log_only");
  });
});
