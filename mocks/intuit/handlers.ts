// The Intuit emulator, defined once as MSW handlers. Vitest uses it through `setupServer` (node.ts), the dev
// environment and Playwright through a real HTTP server (server.ts). Faithful to /work/shared/intuit.md:
// a test that passes against a wrong fake is worse than none.
//
// Endpoints (relative to `origin`):
//   GET  /.well-known/openid_sandbox_configuration, /.well-known/openid_configuration   discovery
//   GET  /connect/oauth2                  consent page (HTML)      POST /connect/oauth2/decision   Connect / Cancel
//   POST /oauth2/v1/tokens/bearer         authorization_code and refresh_token grants
//   POST /v2/oauth2/tokens/revoke         JSON {"token"}; 200 with an empty body
//   GET  /v1/openid_connect/userinfo      GET /op/v1/jwks
//   GET  /v3/company/:realmId/companyinfo/:id
//   GET  /v3/company/:realmId/query?query=…   select *|count(*) from Entity [where …] [orderby …] [startposition n]
//        [maxresults n ≤ 1000] over the company's live chart of accounts (query.ts, accounts.ts)
//   GET  /v3/company/:realmId/cdc?entities=…&changedSince=…   change data capture, from the realm's change log (cdc.ts)
//        Every /v3/company/:realmId/… request counts against the realm's limits (INTUIT_REALM_LIMITS: requests per
//        sliding window, requests in flight); beyond them 429 ThrottleExceeded, errorCode 003001 (realm-limits.ts)
//   /__emulator/*                          test control, see control-handlers.ts
//
// State is kept in closures: every createIntuitEmulator() call is an independent Intuit.

import type { RequestHandler } from "msw";
import { apiHandlers } from "./api-handlers";
import type { AccountPatch, EmulatorAccount, NewAccount } from "./accounts";
import type { ApiRequestRecord, EmulatorContext } from "./context";
import { controlHandlers } from "./control-handlers";
import {
  createEmulatorStore,
  type ActiveToken,
  type ChangeInput,
  type EmulatorCalls,
  type EmulatorChange,
  type EmulatorFault,
  type GrantRefreshStats,
  type TokenIssue,
  type TokenKind,
} from "./emulator-state";
import { ACCOUNTING_SCOPE, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_WEBHOOK_VERIFIER_TOKEN, SANDBOX_COMPANIES, type SandboxCompany } from "./fixtures";
import { createIdTokenSigner } from "./id-token";
import { oauthHandlers } from "./oauth-handlers";
import type { EmulatorLimits, LimitsPatch, RealmLimitStats } from "./realm-limits";

export type { ActiveToken, ChangeInput, EmulatorCalls, EmulatorChange, EmulatorFault, FaultTarget, GrantRefreshStats, TokenIssue, TokenKind } from "./emulator-state";
export type { ApiRequestRecord } from "./context";
export type { AccountPatch, EmulatorAccount, NewAccount } from "./accounts";
export { AccountChangeError } from "./accounts";
export { LARGE_COMPANY_ACCOUNT_COUNT, LARGE_COMPANY_REALM_ID } from "./fixtures";
export type { SandboxCompany } from "./fixtures";
export type { EmulatorLimits, LimitsPatch, RealmLimitStats } from "./realm-limits";
export { DEFAULT_EMULATOR_LIMITS } from "./realm-limits";
export { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_WEBHOOK_VERIFIER_TOKEN, SANDBOX_COMPANIES } from "./fixtures";
export { PATHS as EMULATOR_PATHS } from "./context";

export interface IntuitEmulatorOptions {
  /** Where the emulator answers, e.g. "http://intuit.test" or "http://localhost:4010". No trailing slash needed. */
  origin: string;
  clientId?: string;
  clientSecret?: string;
  /** Exact-match allow list. Empty or undefined: any http(s)://localhost or http(s)://127.0.0.1 URI. */
  redirectUris?: string[];
  /** Signs the webhooks sent by POST /__emulator/send-webhook. */
  webhookVerifierToken?: string;
  /** Default 3600 (Intuit's one hour). */
  accessTokenTtlSeconds?: number;
  /** Default 8726400 (Intuit's ~101 days, rolling). */
  refreshTokenTtlSeconds?: number;
  /** Clock in epoch milliseconds. Default Date.now. */
  now?: () => number;
}

/** A token as shown by the HTTP state endpoint: never the full value. */
export interface TokenPreview {
  kind: TokenKind;
  realmId: string;
  grantId: string;
  preview: string;
  expiresAt: string;
}

export interface EmulatorSnapshot {
  now: string;
  calls: EmulatorCalls;
  activeTokens: TokenPreview[];
  pendingFaults: (EmulatorFault & { remaining: number })[];
  apiRequests: ApiRequestRecord[];
  /** Refresh requests that presented an already rotated refresh token (a double renewal, or a lost answer). */
  refreshTokenReuses: number;
}

export interface EmulatorState {
  readonly origin: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly companies: readonly SandboxCompany[];
  /** Live counters per endpoint; zeroed by reset(). */
  readonly calls: Readonly<EmulatorCalls>;
  /**
   * Forget codes, grants, tokens, faults, counters, change logs, the API request log and any clock offset; restore the
   * fixtures' charts of accounts and the default limits, and clear the limits' statistics.
   */
  reset(): void;
  injectFault(fault: EmulatorFault): void;
  pendingFaults(): (EmulatorFault & { remaining: number })[];
  /** A disconnect made inside QuickBooks: every token of every grant for the realm stops working. Returns how many. */
  revokeGrant(realmId: string): number;
  /** Tokens that would be accepted right now (not expired, rotated or revoked). */
  activeTokens(filter?: { realmId?: string; kind?: TokenKind }): ActiveToken[];
  /** Every API call that reached the data endpoints (not those answered by an injected fault). */
  apiRequests(): readonly ApiRequestRecord[];
  /** Refresh tokens issued from now on live this many seconds (null: back to the configured lifetime). */
  setRefreshTokenTtl(seconds: number | null): void;
  /** How long a rotated refresh token keeps working (null, the default: refused at once, Intuit's worst case). */
  setRotationGrace(seconds: number | null): void;
  /** Refresh requests that presented an already rotated refresh token, since the last reset. */
  refreshTokenReuses(): number;
  /**
   * One live grant per realm, made without the consent screen (load tests): each answer is what the token endpoint
   * would return for it. Scope: accounting only unless given.
   */
  createGrants(realmIds: readonly string[], options?: { scope?: string[] }): TokenIssue[];
  /** Refreshes per grant and reused refresh tokens since the last reset: proof that nothing was renewed twice. */
  grantRefreshStats(): GrantRefreshStats;
  /**
   * A change to one object of the realm, as a QuickBooks user would make it (no webhook is sent): CDC reports it.
   * Throws for an entity CDC does not support or an unknown operation.
   */
  recordChange(realmId: string, change: ChangeInput): EmulatorChange;
  /** The realm's change log, oldest entry first as recorded. */
  changes(realmId: string): readonly EmulatorChange[];
  /** The realm's chart of accounts as a query returns it (Intuit's JSON), inactive accounts included, in creation order. */
  accounts(realmId: string): Record<string, unknown>[];
  /** One account as Intuit's JSON, or undefined. */
  account(realmId: string, id: string): Record<string, unknown> | undefined;
  /**
   * A change made to an account in QuickBooks: SyncToken + 1, MetaData.LastUpdatedTime = the emulator's clock, and an
   * Account Update in the change log (CDC reports it). Throws AccountChangeError (status 404 for an unknown account).
   */
  updateAccount(realmId: string, id: string, patch: AccountPatch): EmulatorAccount;
  /** An account created in QuickBooks (next free Id unless given); CDC reports its Create. Throws AccountChangeError. */
  addAccount(realmId: string, account: NewAccount): EmulatorAccount;
  /** Moves the emulator's clock forward (or back) without touching `now`. */
  advanceTime(seconds: number): void;
  /** Sets when the realm was first authorised, which is where the 5-year refresh-token cap counts from. */
  setRealmFirstAuthorizedAt(realmId: string, at: Date | number): void;
  /** The per-realm API limits in force: INTUIT_REALM_LIMITS and no Retry-After until changed. */
  limits(): EmulatorLimits;
  /** Changes the given limits until reset(); returns those now in force. Throws for a value POST /__emulator/limits would refuse. */
  setLimits(patch: LimitsPatch): EmulatorLimits;
  /** Per realm, since the last reset: requests, accepted, throttled and the peaks of accepted requests (window, in flight). */
  limitStats(): Record<string, RealmLimitStats>;
  now(): Date;
  snapshot(): EmulatorSnapshot;
}

export interface IntuitEmulator {
  handlers: RequestHandler[];
  state: EmulatorState;
}

const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 3600;
const DEFAULT_REFRESH_TOKEN_TTL_SECONDS = 8_726_400;

function normaliseOrigin(origin: string): string {
  const url = new URL(origin);
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

function previewOf(token: ActiveToken): TokenPreview {
  return {
    kind: token.kind,
    realmId: token.realmId,
    grantId: token.grantId,
    preview: `${token.token.slice(0, 8)}…`,
    expiresAt: token.expiresAt.toISOString(),
  };
}

function createState(ctx: EmulatorContext): EmulatorState {
  const { store } = ctx;
  const state: EmulatorState = {
    origin: ctx.origin,
    clientId: ctx.clientId,
    clientSecret: ctx.clientSecret,
    companies: SANDBOX_COMPANIES,
    calls: store.calls,
    reset() {
      store.reset();
      ctx.apiRequests.length = 0;
    },
    injectFault: store.injectFault,
    pendingFaults: store.pendingFaults,
    revokeGrant: (realmId) => store.revokeRealm(realmId),
    activeTokens: store.activeTokens,
    apiRequests: () => [...ctx.apiRequests],
    advanceTime: store.advanceTime,
    setRefreshTokenTtl: store.setRefreshTokenTtl,
    setRotationGrace: store.setRotationGrace,
    refreshTokenReuses: store.refreshTokenReuses,
    createGrants: (realmIds, options) => store.createGrants({ clientId: ctx.clientId, realmIds, scope: options?.scope ?? [ACCOUNTING_SCOPE] }),
    grantRefreshStats: store.grantRefreshStats,
    setRealmFirstAuthorizedAt: store.setRealmFirstAuthorizedAt,
    recordChange: store.recordChange,
    changes: store.changes,
    accounts: store.accountRecords,
    account: store.accountRecord,
    updateAccount: store.updateAccount,
    addAccount: store.addAccount,
    limits: store.limits,
    setLimits: store.setLimits,
    limitStats: store.limitStats,
    now: () => new Date(store.now()),
    snapshot: () => ({
      now: new Date(store.now()).toISOString(),
      calls: { ...store.calls },
      activeTokens: store.activeTokens().map(previewOf),
      pendingFaults: store.pendingFaults(),
      apiRequests: [...ctx.apiRequests],
      refreshTokenReuses: store.refreshTokenReuses(),
    }),
  };
  return state;
}

export function createIntuitEmulator(options: IntuitEmulatorOptions): IntuitEmulator {
  const accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS;
  const ctx: EmulatorContext = {
    origin: normaliseOrigin(options.origin),
    clientId: options.clientId ?? DEFAULT_CLIENT_ID,
    clientSecret: options.clientSecret ?? DEFAULT_CLIENT_SECRET,
    redirectUris: options.redirectUris ?? [],
    accessTokenTtlSeconds,
    webhookVerifierToken: options.webhookVerifierToken ?? DEFAULT_WEBHOOK_VERIFIER_TOKEN,
    store: createEmulatorStore({
      accessTokenTtlSeconds,
      refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
      now: options.now ?? Date.now,
    }),
    idTokens: createIdTokenSigner(),
    apiRequests: [],
  };
  const state = createState(ctx);
  const handlers: RequestHandler[] = [...oauthHandlers(ctx), ...apiHandlers(ctx), ...controlHandlers(ctx, state)];
  return { handlers, state };
}
