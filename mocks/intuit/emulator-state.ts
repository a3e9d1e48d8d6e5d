// The emulator's memory: authorization codes, grants, tokens, injected faults, call counters, each realm's
// change log (what CDC reports), each realm's chart of accounts (accounts.ts) and each realm's API limits and their
// counters (realm-limits.ts).
// No HTTP here, so the rules Intuit enforces (single-use codes, rotation, replay revocation, hard expiry)
// read as plain functions. Everything lives in the closure of createEmulatorStore: one store per emulator.

import { createAccountBook, type AccountPatch, type EmulatorAccount, type NewAccount } from "./accounts";
import { canonicalCdcEntity } from "./cdc";
import { accountSeeds } from "./fixtures";
import { newAccessToken, newAuthorizationCode, newGrantId, newRefreshToken } from "./random";
import { createRealmLimiter } from "./realm-limits";

export type FaultTarget = "token" | "revoke" | "api" | "discovery";

/** A scripted failure. The next `times` requests to `target` get it instead of (or, with only delayMs, before) the real answer. */
export interface EmulatorFault {
  target: FaultTarget;
  /** HTTP status to answer with. Omit it (with delayMs) for a slow but otherwise normal answer. */
  status?: number;
  /** JSON value or raw string. Omitted: a representative Intuit body for the target and status. */
  body?: unknown;
  contentType?: string;
  delayMs?: number;
  /**
   * Acts on the request (e.g. rotates the refresh token), then holds the answer this long: Intuit has done the work
   * but the client has not heard of it yet (a slow or lost answer, or a client that dies waiting).
   */
  answerDelayMs?: number;
  /** How many requests the fault applies to. Default 1. */
  times?: number;
  /** OAuth error code shortcut for token/revoke, e.g. "invalid_grant" (400) or "invalid_client" (401). */
  error?: string;
}

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

export interface EmulatorCalls {
  discovery: number;
  authorize: number;
  decision: number;
  tokenAuthorizationCode: number;
  tokenRefreshToken: number;
  tokenOther: number;
  revoke: number;
  api: number;
  userinfo: number;
  jwks: number;
}

/** What happened to a QuickBooks object, in the words of Intuit's webhooks. */
export const CHANGE_OPERATIONS = ["Create", "Update", "Delete", "Merge", "Void", "Emailed"] as const;
export type ChangeOperation = (typeof CHANGE_OPERATIONS)[number];

/** One entry of a realm's change log. */
export interface EmulatorChange {
  /** Canonical entity name, e.g. "Customer". */
  entity: string;
  id: string;
  operation: ChangeOperation;
  /** Epoch milliseconds. */
  at: number;
}

export interface ChangeInput {
  /** Any case: "customer" is stored as "Customer". Must be an entity CDC supports. */
  entity: string;
  id: string;
  /** Any case: "update" is stored as "Update". */
  operation: string;
  /** Default: the emulator's clock. */
  at?: Date | number;
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

/**
 * How the refresh tokens were used since the last reset: what a load test checks to prove that no connection was
 * renewed twice (a second renewal of the same grant, or a refresh token presented again after it was rotated).
 */
export interface GrantRefreshStats {
  /** Grants issued (authorization codes exchanged, plus bulk grants), revoked ones included. */
  grants: number;
  /** Successful refresh_token exchanges. */
  refreshes: number;
  /** Grants refreshed at least once. */
  refreshedGrants: number;
  /** Grants refreshed more than once. */
  grantsRefreshedMoreThanOnce: number;
  maxRefreshesPerGrant: number;
  /** Refresh requests that presented an already rotated refresh token (as refreshTokenReuses). */
  refreshTokenReuses: number;
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

export interface StoreConfig {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
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

function emptyCalls(): EmulatorCalls {
  return {
    discovery: 0,
    authorize: 0,
    decision: 0,
    tokenAuthorizationCode: 0,
    tokenRefreshToken: 0,
    tokenOther: 0,
    revoke: 0,
    api: 0,
    userinfo: 0,
    jwks: 0,
  };
}

export function createEmulatorStore(config: StoreConfig) {
  const codes = new Map<string, CodeRecord>();
  const grants = new Map<string, GrantRecord>();
  const tokens = new Map<string, TokenRecord>();
  const firstAuthorizedAt = new Map<string, number>();
  const faults: { fault: EmulatorFault; remaining: number }[] = [];
  const changeLog = new Map<string, EmulatorChange[]>();
  // Successful refreshes per grant id: see GrantRefreshStats.
  const refreshesByGrant = new Map<string, number>();
  // Mutated in place so a test holding `state.calls` always sees current numbers.
  const calls: EmulatorCalls = emptyCalls();
  let clockOffsetMs = 0;
  // On the emulator's clock, so advanceTime() slides the window as well.
  const limiter = createRealmLimiter(now);
  const accounts = createAccountBook({ now, seeds: accountSeeds });

  function now(): number {
    return config.now() + clockOffsetMs;
  }

  function hardExpiryOf(realmId: string): number {
    const start = firstAuthorizedAt.get(realmId) ?? now();
    return start + REFRESH_TOKEN_HARD_CAP_SECONDS * 1000;
  }

  function addToken(kind: TokenKind, grantId: string, issuedAt: number, expiresAt: number): TokenRecord {
    const record: TokenRecord = {
      token: kind === "access" ? newAccessToken() : newRefreshToken(),
      kind,
      grantId,
      issuedAt,
      expiresAt,
      status: "active",
    };
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

  function issueAuthorizationCode(input: Omit<CodeRecord, "code" | "issuedAt" | "grantId">): string {
    const record: CodeRecord = { ...input, code: newAuthorizationCode(), issuedAt: now(), grantId: null };
    codes.set(record.code, record);
    return record.code;
  }

  function exchangeAuthorizationCode(input: {
    clientId: string;
    code: string;
    redirectUri: string;
  }): StoreResult<TokenIssue> {
    const record = codes.get(input.code);
    if (!record || record.clientId !== input.clientId) return { ok: false, failure: INVALID_CODE };
    if (record.grantId !== null) {
      // Intuit treats a replayed code as theft: the tokens of the first exchange are revoked too.
      revokeGrantById(record.grantId);
      return { ok: false, failure: INVALID_CODE };
    }
    if (now() - record.issuedAt > AUTHORIZATION_CODE_TTL_MS) return { ok: false, failure: INVALID_CODE };
    if (record.redirectUri !== input.redirectUri) return { ok: false, failure: INVALID_CODE };

    const grant: GrantRecord = {
      id: newGrantId(),
      clientId: record.clientId,
      realmId: record.realmId,
      scope: record.scope,
      revoked: false,
    };
    grants.set(grant.id, grant);
    record.grantId = grant.id;
    if (!firstAuthorizedAt.has(grant.realmId)) firstAuthorizedAt.set(grant.realmId, now());
    return { ok: true, value: issueTokenPair(grant) };
  }

  function refresh(input: { clientId: string; refreshToken: string }): StoreResult<TokenIssue> {
    const record = tokens.get(input.refreshToken);
    // A refresh token presented again after it was exchanged: two clients renewing the same grant at once, or a
    // client that lost the answer. Counted so that tests can assert it never happens ("double renewals").
    if (record?.kind === "refresh" && record.status === "rotated") refreshTokenReuses += 1;
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
    refreshesByGrant.set(grant.id, (refreshesByGrant.get(grant.id) ?? 0) + 1);
    return { ok: true, value: issueTokenPair(grant) };
  }

  /**
   * Grants made without the consent screen, one per realm, as if each company had connected already: load tests
   * need thousands of live refresh tokens, which the browser flow would take hours to make. Each realm counts as
   * first authorised now unless set before (setRealmFirstAuthorizedAt).
   */
  function createGrants(input: { clientId: string; realmIds: readonly string[]; scope: string[] }): TokenIssue[] {
    return input.realmIds.map((realmId) => {
      const grant: GrantRecord = { id: newGrantId(), clientId: input.clientId, realmId, scope: input.scope, revoked: false };
      grants.set(grant.id, grant);
      if (!firstAuthorizedAt.has(realmId)) firstAuthorizedAt.set(realmId, now());
      return issueTokenPair(grant);
    });
  }

  function grantRefreshStats(): GrantRefreshStats {
    let refreshes = 0;
    let moreThanOnce = 0;
    let max = 0;
    for (const count of refreshesByGrant.values()) {
      refreshes += count;
      if (count > 1) moreThanOnce += 1;
      max = Math.max(max, count);
    }
    return {
      grants: grants.size,
      refreshes,
      refreshedGrants: refreshesByGrant.size,
      grantsRefreshedMoreThanOnce: moreThanOnce,
      maxRefreshesPerGrant: max,
      refreshTokenReuses,
    };
  }

  /** Revoke endpoint semantics: disconnects the app from the company, i.e. every grant of (client, realm). */
  function revokeByToken(input: { clientId: string; token: string }): boolean {
    const record = tokens.get(input.token);
    if (!record || record.status !== "active") return false;
    const grant = grants.get(record.grantId);
    if (!grant || grant.revoked || grant.clientId !== input.clientId) return false;
    revokeRealm(grant.realmId, grant.clientId);
    return true;
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
    return {
      token: record.token,
      kind: record.kind,
      realmId: grant.realmId,
      clientId: grant.clientId,
      grantId: grant.id,
      scope: grant.scope,
      issuedAt: new Date(record.issuedAt),
      expiresAt: new Date(record.expiresAt),
    };
  }

  function checkAccessToken(token: string): AccessCheck {
    const record = tokens.get(token);
    const grant = record ? grants.get(record.grantId) : undefined;
    if (!record || !grant || record.kind !== "access") return { ok: false, reason: "unknown" };
    if (record.status !== "active" || grant.revoked) return { ok: false, reason: "revoked" };
    if (record.expiresAt <= now()) return { ok: false, reason: "expired" };
    return { ok: true, token: toActiveToken(record, grant) };
  }

  function activeTokens(filter: { realmId?: string; kind?: TokenKind } = {}): ActiveToken[] {
    const result: ActiveToken[] = [];
    for (const record of tokens.values()) {
      const grant = grants.get(record.grantId);
      if (!grant || grant.revoked || record.status !== "active" || record.expiresAt <= now()) continue;
      if (filter.realmId !== undefined && grant.realmId !== filter.realmId) continue;
      if (filter.kind !== undefined && record.kind !== filter.kind) continue;
      result.push(toActiveToken(record, grant));
    }
    return result;
  }

  function injectFault(fault: EmulatorFault): void {
    faults.push({ fault, remaining: Math.max(1, fault.times ?? 1) });
  }

  /** Takes the oldest pending fault for the target, consuming one of its uses. */
  function takeFault(target: FaultTarget): EmulatorFault | null {
    const index = faults.findIndex((entry) => entry.fault.target === target);
    const entry = faults[index];
    if (!entry) return null;
    entry.remaining -= 1;
    if (entry.remaining <= 0) faults.splice(index, 1);
    return entry.fault;
  }

  function pendingFaults(): (EmulatorFault & { remaining: number })[] {
    return faults.map((entry) => ({ ...entry.fault, remaining: entry.remaining }));
  }

  // Tests shorten the refresh token's life for tokens issued from now on (an expired refresh token, in minutes).
  let refreshTtlOverride: number | null = null;
  // null: a rotated refresh token is refused at once (the worst case, the default). Else how long it still works.
  let rotationGraceMs: number | null = null;
  function setRotationGrace(seconds: number | null): void {
    rotationGraceMs = seconds === null ? null : seconds * 1000;
  }
  let refreshTokenReuses = 0;
  function setRefreshTokenTtl(seconds: number | null): void {
    refreshTtlOverride = seconds;
  }

  /** Records a change to one object of the realm; throws for an entity CDC does not know or an unknown operation. */
  function recordChange(realmId: string, input: ChangeInput): EmulatorChange {
    const entity = canonicalCdcEntity(input.entity);
    if (!entity) throw new Error(`Unknown or unsupported entity for change data capture: ${input.entity}`);
    const operation = CHANGE_OPERATIONS.find((op) => op.toLowerCase() === input.operation.toLowerCase());
    if (!operation) throw new Error(`Unknown operation: ${input.operation}`);
    const at = input.at === undefined ? now() : typeof input.at === "number" ? input.at : input.at.getTime();
    const change: EmulatorChange = { entity, id: input.id, operation, at };
    const log = changeLog.get(realmId) ?? [];
    log.push(change);
    changeLog.set(realmId, log);
    return change;
  }

  function changes(realmId: string): readonly EmulatorChange[] {
    return [...(changeLog.get(realmId) ?? [])];
  }

  /** A change to an account made in QuickBooks: new SyncToken and LastUpdatedTime, and an Update that CDC reports. */
  function updateAccount(realmId: string, id: string, patch: AccountPatch): EmulatorAccount {
    const account = accounts.update(realmId, id, patch);
    recordChange(realmId, { entity: "Account", id, operation: "Update" });
    return account;
  }

  /** An account created in QuickBooks; CDC reports its Create. */
  function addAccount(realmId: string, input: NewAccount): EmulatorAccount {
    const account = accounts.add(realmId, input);
    recordChange(realmId, { entity: "Account", id: account.id, operation: "Create" });
    return account;
  }

  function reset(): void {
    changeLog.clear();
    refreshesByGrant.clear();
    accounts.reset();
    refreshTtlOverride = null;
    rotationGraceMs = null;
    refreshTokenReuses = 0;
    codes.clear();
    grants.clear();
    tokens.clear();
    firstAuthorizedAt.clear();
    faults.length = 0;
    Object.assign(calls, emptyCalls());
    clockOffsetMs = 0;
    limiter.reset();
  }

  return {
    calls,
    setRefreshTokenTtl,
    setRotationGrace,
    /** Refresh requests that presented an already rotated refresh token, since the last reset. */
    refreshTokenReuses: () => refreshTokenReuses,
    now,
    advanceTime(seconds: number): void {
      clockOffsetMs += seconds * 1000;
    },
    setRealmFirstAuthorizedAt(realmId: string, at: Date | number): void {
      firstAuthorizedAt.set(realmId, typeof at === "number" ? at : at.getTime());
    },
    issueAuthorizationCode,
    exchangeAuthorizationCode,
    refresh,
    createGrants,
    grantRefreshStats,
    revokeByToken,
    revokeRealm,
    checkAccessToken,
    activeTokens,
    injectFault,
    takeFault,
    pendingFaults,
    recordChange,
    changes,
    accountRecords: accounts.records,
    accountRecord: accounts.record,
    account: accounts.get,
    updateAccount,
    addAccount,
    admitApiRequest: limiter.admit,
    limits: limiter.limits,
    setLimits: limiter.setLimits,
    limitStats: limiter.stats,
    reset,
  };
}

export type EmulatorStore = ReturnType<typeof createEmulatorStore>;
