// The emulator's OAuth memory: authorization codes, grants and their tokens. No HTTP here, so the rules Intuit
// enforces (single-use codes, rotation, replay revocation, hard expiry) read as plain functions; oauth-tokens.ts
// and oauth-authorize.ts put them on the wire.

import { newAccessToken, newAuthorizationCode, newGrantId, newRefreshToken } from "./random";
import { createRefreshStats, type GrantRefreshStats } from "./refresh-stats";

export type TokenKind = "access" | "refresh";

export interface ActiveToken {
  token: string;
  kind: TokenKind;
  realmId: string;
  clientId: string;
  grantId: string;
  scope: string[];
  issuedAt: Date;
  expiresAt: Date;
}

export type OAuthFailure = { error: string; description?: string; status: number };

export interface TokenIssue {
  accessToken: string;
  refreshToken: string;
  accessExpiresInSeconds: number;
  refreshExpiresInSeconds: number;
  hardExpiresInSeconds: number;
  realmId: string;
  scope: string[];
  grantId: string;
}

export type StoreResult<T> = { ok: true; value: T } | { ok: false; failure: OAuthFailure };

export type AccessCheck =
  | { ok: true; token: ActiveToken }
  | { ok: false; reason: "unknown" | "expired" | "revoked" };

interface CodeRecord {
  code: string;
  clientId: string;
  redirectUri: string;
  realmId: string;
  scope: string[];
  issuedAt: number;
  /** Set on the first successful exchange; a second exchange revokes this grant. */
  grantId: string | null;
}

interface GrantRecord {
  id: string;
  clientId: string;
  realmId: string;
  scope: string[];
  revoked: boolean;
}

interface TokenRecord {
  token: string;
  kind: TokenKind;
  grantId: string;
  issuedAt: number;
  expiresAt: number;
  /** "rotated": a refresh token that was exchanged for a new one; Intuit rejects it from then on. */
  status: "active" | "rotated" | "revoked";
  /** When a refresh token was rotated (epoch ms). */
  rotatedAt?: number;
}

export interface GrantConfig {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** The emulator's clock (epoch ms). */
  now: () => number;
}

/** Codes live 10 minutes (jsclient sample; intuit.md §2). */
export const AUTHORIZATION_CODE_TTL_MS = 10 * 60 * 1000;
/** Every refresh token has a 5-year maximum counted from the realm's first authorization (intuit.md §3). */
export const REFRESH_TOKEN_HARD_CAP_SECONDS = 5 * 365 * 24 * 60 * 60;

const INVALID_CODE: OAuthFailure = { error: "invalid_grant", description: "Token invalid", status: 400 };
const INVALID_REFRESH: OAuthFailure = {
  error: "invalid_grant",
  description: "Incorrect or invalid refresh token",
  status: 400,
};

export function createGrantBook(config: GrantConfig) {
  const { now } = config;
  const codes = new Map<string, CodeRecord>();
  const grants = new Map<string, GrantRecord>();
  const tokens = new Map<string, TokenRecord>();
  const firstAuthorizedAt = new Map<string, number>();
  const refreshStats = createRefreshStats();
  // Tests shorten the refresh token's life for tokens issued from now on (an expired refresh token, in minutes).
  let refreshTtlOverride: number | null = null;
  // null: a rotated refresh token is refused at once (the worst case, the default). Else how long it still works.
  let rotationGraceMs: number | null = null;

  function hardExpiryOf(realmId: string): number {
    const start = firstAuthorizedAt.get(realmId) ?? now();
    return start + REFRESH_TOKEN_HARD_CAP_SECONDS * 1000;
  }

  function addToken(kind: TokenKind, grantId: string, issuedAt: number, expiresAt: number): TokenRecord {
    const token = kind === "access" ? newAccessToken() : newRefreshToken();
    const record: TokenRecord = { token, kind, grantId, issuedAt, expiresAt, status: "active" };
    tokens.set(record.token, record);
    return record;
  }

  function issueTokenPair(grant: GrantRecord): TokenIssue {
    // One clock reading for the whole answer, so lifetimes come out as whole, predictable numbers.
    const issuedAt = now();
    const hardExpiry = hardExpiryOf(grant.realmId);
    // Rolling expiry: each refresh grants a fresh 100 days, but never past the 5-year cap.
    const refreshExpiry = Math.min(issuedAt + (refreshTtlOverride ?? config.refreshTokenTtlSeconds) * 1000, hardExpiry);
    const access = addToken("access", grant.id, issuedAt, issuedAt + config.accessTokenTtlSeconds * 1000);
    const refresh = addToken("refresh", grant.id, issuedAt, refreshExpiry);
    const seconds = (until: number) => Math.max(0, Math.round((until - issuedAt) / 1000));
    return {
      accessToken: access.token,
      refreshToken: refresh.token,
      accessExpiresInSeconds: config.accessTokenTtlSeconds,
      refreshExpiresInSeconds: seconds(refreshExpiry),
      hardExpiresInSeconds: seconds(hardExpiry),
      realmId: grant.realmId,
      scope: grant.scope,
      grantId: grant.id,
    };
  }

  function addGrant(clientId: string, realmId: string, scope: string[]): GrantRecord {
    const grant: GrantRecord = { id: newGrantId(), clientId, realmId, scope, revoked: false };
    grants.set(grant.id, grant);
    if (!firstAuthorizedAt.has(realmId)) firstAuthorizedAt.set(realmId, now());
    return grant;
  }

  function revokeGrantById(grantId: string): number {
    const grant = grants.get(grantId);
    if (!grant) return 0;
    grant.revoked = true;
    let count = 0;
    for (const record of tokens.values()) {
      if (record.grantId === grantId && record.status === "active") {
        record.status = "revoked";
        count += 1;
      }
    }
    return count;
  }

  function revokeRealm(realmId: string, clientId?: string): number {
    let count = 0;
    for (const grant of grants.values()) {
      if (grant.realmId !== realmId || grant.revoked) continue;
      if (clientId !== undefined && grant.clientId !== clientId) continue;
      count += revokeGrantById(grant.id);
    }
    return count;
  }

  function toActiveToken(record: TokenRecord, grant: GrantRecord): ActiveToken {
    const { token, kind, issuedAt, expiresAt } = record;
    const { realmId, clientId, id: grantId, scope } = grant;
    return { token, kind, realmId, clientId, grantId, scope, issuedAt: new Date(issuedAt), expiresAt: new Date(expiresAt) };
  }

  return {
    issueAuthorizationCode(input: Omit<CodeRecord, "code" | "issuedAt" | "grantId">): string {
      const record: CodeRecord = { ...input, code: newAuthorizationCode(), issuedAt: now(), grantId: null };
      codes.set(record.code, record);
      return record.code;
    },

    exchangeAuthorizationCode(input: { clientId: string; code: string; redirectUri: string }): StoreResult<TokenIssue> {
      const record = codes.get(input.code);
      if (!record || record.clientId !== input.clientId) return { ok: false, failure: INVALID_CODE };
      if (record.grantId !== null) {
        // Intuit treats a replayed code as theft: the tokens of the first exchange are revoked too.
        revokeGrantById(record.grantId);
        return { ok: false, failure: INVALID_CODE };
      }
      if (now() - record.issuedAt > AUTHORIZATION_CODE_TTL_MS) return { ok: false, failure: INVALID_CODE };
      if (record.redirectUri !== input.redirectUri) return { ok: false, failure: INVALID_CODE };
      const grant = addGrant(record.clientId, record.realmId, record.scope);
      record.grantId = grant.id;
      return { ok: true, value: issueTokenPair(grant) };
    },

    refresh(input: { clientId: string; refreshToken: string }): StoreResult<TokenIssue> {
      const record = tokens.get(input.refreshToken);
      // A refresh token presented again after it was exchanged: two clients renewing the same grant at once, or a
      // client that lost the answer. Counted so that tests can assert it never happens ("double renewals").
      if (record?.kind === "refresh" && record.status === "rotated") refreshStats.countReuse();
      const inGrace = record?.status === "rotated" && rotationGraceMs !== null && now() - (record.rotatedAt ?? 0) < rotationGraceMs;
      if (!record || record.kind !== "refresh" || (record.status !== "active" && !inGrace)) {
        return { ok: false, failure: INVALID_REFRESH };
      }
      const grant = grants.get(record.grantId);
      if (!grant || grant.revoked || grant.clientId !== input.clientId) return { ok: false, failure: INVALID_REFRESH };
      if (record.expiresAt <= now()) return { ok: false, failure: INVALID_REFRESH };
      // Rotation: the presented refresh token stops working the moment a new one is issued (worst case, intuit.md §3),
      // unless a grace period is set (jsclient's README: the previous token lasts 24 h after a new one).
      if (record.status === "active") {
        record.status = "rotated";
        record.rotatedAt = now();
      }
      refreshStats.countRefresh(grant.id);
      return { ok: true, value: issueTokenPair(grant) };
    },

    /**
     * Grants made without the consent screen, one per realm, as if each company had connected already: load tests
     * need thousands of live refresh tokens, which the browser flow would take hours to make. Each realm counts as
     * first authorised now unless set before (setRealmFirstAuthorizedAt).
     */
    createGrants(input: { clientId: string; realmIds: readonly string[]; scope: string[] }): TokenIssue[] {
      return input.realmIds.map((realmId) => issueTokenPair(addGrant(input.clientId, realmId, input.scope)));
    },

    grantRefreshStats: (): GrantRefreshStats => refreshStats.stats(grants.size),

    /** Revoke endpoint semantics: disconnects the app from the company, i.e. every grant of (client, realm). */
    revokeByToken(input: { clientId: string; token: string }): boolean {
      const record = tokens.get(input.token);
      if (!record || record.status !== "active") return false;
      const grant = grants.get(record.grantId);
      if (!grant || grant.revoked || grant.clientId !== input.clientId) return false;
      revokeRealm(grant.realmId, grant.clientId);
      return true;
    },

    revokeRealm,

    checkAccessToken(token: string): AccessCheck {
      const record = tokens.get(token);
      const grant = record ? grants.get(record.grantId) : undefined;
      if (!record || !grant || record.kind !== "access") return { ok: false, reason: "unknown" };
      if (record.status !== "active" || grant.revoked) return { ok: false, reason: "revoked" };
      if (record.expiresAt <= now()) return { ok: false, reason: "expired" };
      return { ok: true, token: toActiveToken(record, grant) };
    },

    activeTokens(filter: { realmId?: string; kind?: TokenKind } = {}): ActiveToken[] {
      const result: ActiveToken[] = [];
      for (const record of tokens.values()) {
        const grant = grants.get(record.grantId);
        if (!grant || grant.revoked || record.status !== "active" || record.expiresAt <= now()) continue;
        if (filter.realmId !== undefined && grant.realmId !== filter.realmId) continue;
        if (filter.kind !== undefined && record.kind !== filter.kind) continue;
        result.push(toActiveToken(record, grant));
      }
      return result;
    },

    setRefreshTokenTtl(seconds: number | null): void {
      refreshTtlOverride = seconds;
    },
    setRotationGrace(seconds: number | null): void {
      rotationGraceMs = seconds === null ? null : seconds * 1000;
    },
    /** Refresh requests that presented an already rotated refresh token, since the last reset. */
    refreshTokenReuses: refreshStats.reuses,
    setRealmFirstAuthorizedAt(realmId: string, at: Date | number): void {
      firstAuthorizedAt.set(realmId, typeof at === "number" ? at : at.getTime());
    },

    reset(): void {
      codes.clear();
      grants.clear();
      tokens.clear();
      firstAuthorizedAt.clear();
      refreshStats.reset();
      refreshTtlOverride = null;
      rotationGraceMs = null;
    },
  };
}
