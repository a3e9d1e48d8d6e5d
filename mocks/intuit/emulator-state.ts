// The emulator as a test holds it: one object to reset, script faults, move the clock, change QuickBooks data and
// read what happened, over the store (store.ts). control-handlers.ts offers the same over HTTP for browser tests.

import type { AccountPatch, EmulatorAccount, NewAccount } from "./accounts";
import type { ChangeInput, EmulatorChange } from "./change-log";
import type { ApiRequestRecord, EmulatorContext } from "./context";
import type { EmulatorFault } from "./fault-queue";
import { ACCOUNTING_SCOPE, PRODUCTION_COMPANIES, SANDBOX_COMPANIES, type EmulatorCompany } from "./fixtures";
import type { ActiveToken, TokenIssue, TokenKind } from "./grants";
import type { MonthlyQuotaSetting, MonthlyQuotaStats } from "./monthly-quota";
import type { EmulatorLimits, LimitsPatch, RealmLimitStats } from "./realm-limits";
import type { JournalEntry } from "./journal";
import type { GrantRefreshStats } from "./refresh-stats";
import { parseReportRequest } from "./reports";
import type { EmulatorCalls, JournalEntryInput } from "./store";

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
  /** The development keys: they connect the sandbox companies. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** The production keys: they connect the production companies. */
  readonly productionClientId: string;
  readonly productionClientSecret: string;
  /** Every listed company: the sandbox ones, then the production ones (each says its environment). */
  readonly companies: readonly EmulatorCompany[];
  /** Live counters per endpoint; zeroed by reset(). */
  readonly calls: Readonly<EmulatorCalls>;
  /**
   * Forget codes, grants, tokens, faults, counters, change logs, the API request log and any clock offset; restore the
   * fixtures' charts of accounts and journals and the default limits, and clear the limits' statistics and every
   * monthly quota.
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
  /**
   * An account created in QuickBooks (next free Id unless given); CDC reports its Create. A balance is posted as its
   * opening balance, a JournalEntry dated today against Opening Balance Equity. Throws AccountChangeError.
   */
  addAccount(realmId: string, account: NewAccount): EmulatorAccount;
  /** The company's today, "YYYY-MM-DD": the emulator's clock in the company's zone (what CurrentBalance is as of). */
  today(): string;
  /**
   * A journal entry entered in QuickBooks now and dated `date`: balances as of that day on move, CDC reports a
   * JournalEntry Create at the emulator's clock, the accounts themselves do not change. Throws JournalError.
   */
  postJournalEntry(realmId: string, entry: JournalEntryInput): JournalEntry;
  /** The realm's journal, fixtures first, in the order entered (the emulator's own form: cents, debit positive). */
  journalEntries(realmId: string): readonly JournalEntry[];
  /** The realm's journal entries as Intuit's JournalEntry JSON. */
  journalRecords(realmId: string): Record<string, unknown>[];
  /**
   * The TrialBalance report as GET …/reports/TrialBalance would answer it (without counting a call), for the query
   * parameters given (start_date, end_date, accounting_method, date_macro). Throws for parameters Intuit would refuse.
   */
  trialBalance(realmId: string, params?: Record<string, string>): Record<string, unknown>;
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
  /**
   * Intuit's monthly quota of CorePlus reads for a client id's workspace (none, unlimited, by default): past it every
   * further CorePlus read gets the monthly block's 429 until the emulator's clock enters the next calendar month (UTC);
   * Core calls and OAuth go on. null removes it. Until reset(). Throws for a value POST /__emulator/monthly-quota would refuse.
   */
  setMonthlyQuota(clientId: string, quota: number | null): MonthlyQuotaStats;
  /** This month's CorePlus reads accepted and refused, and the quota, per client id. */
  monthlyQuotaStats(): Record<string, MonthlyQuotaStats>;
  now(): Date;
  snapshot(): EmulatorSnapshot;
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

export function createEmulatorState(ctx: EmulatorContext): EmulatorState {
  const { store } = ctx;
  const state: EmulatorState = {
    origin: ctx.origin,
    clientId: ctx.clientId,
    clientSecret: ctx.clientSecret,
    productionClientId: ctx.productionClientId,
    productionClientSecret: ctx.productionClientSecret,
    companies: [...SANDBOX_COMPANIES, ...PRODUCTION_COMPANIES],
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
    today: store.today,
    postJournalEntry: store.postJournalEntry,
    journalEntries: store.journalEntries,
    journalRecords: store.journalRecords,
    trialBalance(realmId, params = {}) {
      const url = new URL("http://emulator.invalid/");
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
      const parsed = parseReportRequest(url, store.today(), store.fiscalYearStartMonth(realmId));
      if ("error" in parsed) throw new Error(parsed.error.detail);
      return store.trialBalance(realmId, parsed);
    },
    limits: store.limits,
    setLimits: store.setLimits,
    limitStats: store.limitStats,
    setMonthlyQuota: (clientId, quota) => store.setMonthlyQuota({ clientId, quota } satisfies MonthlyQuotaSetting),
    monthlyQuotaStats: store.monthlyQuotaStats,
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
