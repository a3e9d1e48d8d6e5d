// The emulator's memory, one store per emulator: OAuth codes, grants and tokens (grants.ts), injected faults
// (fault-queue.ts), call counters, each realm's change log (change-log.ts, what CDC reports), each realm's chart of
// accounts (accounts.ts), each realm's API limits and their counters (realm-limits.ts) and each client id's monthly
// quota of metered reads (monthly-quota.ts), all on one clock that
// tests can move forward. No HTTP here: the handlers read and change the store through these functions.

import { createAccountBook, type AccountPatch, type EmulatorAccount, type NewAccount } from "./accounts";
import { createChangeLog } from "./change-log";
import { createFaultQueue } from "./fault-queue";
import { accountSeeds } from "./fixtures";
import { createGrantBook } from "./grants";
import { createMonthlyQuota } from "./monthly-quota";
import { createRealmLimiter } from "./realm-limits";

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

export interface StoreConfig {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  now: () => number;
}

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
  // Mutated in place so a test holding `state.calls` always sees current numbers.
  const calls: EmulatorCalls = emptyCalls();
  let clockOffsetMs = 0;
  const now = (): number => config.now() + clockOffsetMs;
  const grants = createGrantBook({ ...config, now });
  const faults = createFaultQueue();
  const changeLog = createChangeLog(now);
  // On the emulator's clock, so advanceTime() slides the window as well.
  const limiter = createRealmLimiter(now);
  const accounts = createAccountBook({ now, seeds: accountSeeds });
  const monthlyQuota = createMonthlyQuota(now);

  /** A change to an account made in QuickBooks: new SyncToken and LastUpdatedTime, and an Update that CDC reports. */
  function updateAccount(realmId: string, id: string, patch: AccountPatch): EmulatorAccount {
    const account = accounts.update(realmId, id, patch);
    changeLog.recordChange(realmId, { entity: "Account", id, operation: "Update" });
    return account;
  }

  /** An account created in QuickBooks; CDC reports its Create. */
  function addAccount(realmId: string, input: NewAccount): EmulatorAccount {
    const account = accounts.add(realmId, input);
    changeLog.recordChange(realmId, { entity: "Account", id: account.id, operation: "Create" });
    return account;
  }

  function reset(): void {
    changeLog.reset();
    accounts.reset();
    grants.reset();
    faults.reset();
    Object.assign(calls, emptyCalls());
    clockOffsetMs = 0;
    limiter.reset();
    monthlyQuota.reset();
  }

  return {
    calls,
    now,
    advanceTime(seconds: number): void {
      clockOffsetMs += seconds * 1000;
    },
    issueAuthorizationCode: grants.issueAuthorizationCode,
    exchangeAuthorizationCode: grants.exchangeAuthorizationCode,
    refresh: grants.refresh,
    createGrants: grants.createGrants,
    grantRefreshStats: grants.grantRefreshStats,
    revokeByToken: grants.revokeByToken,
    revokeRealm: grants.revokeRealm,
    checkAccessToken: grants.checkAccessToken,
    activeTokens: grants.activeTokens,
    setRefreshTokenTtl: grants.setRefreshTokenTtl,
    setRotationGrace: grants.setRotationGrace,
    refreshTokenReuses: grants.refreshTokenReuses,
    setRealmFirstAuthorizedAt: grants.setRealmFirstAuthorizedAt,
    injectFault: faults.injectFault,
    takeFault: faults.takeFault,
    pendingFaults: faults.pendingFaults,
    recordChange: changeLog.recordChange,
    changes: changeLog.changes,
    accountRecords: accounts.records,
    accountRecord: accounts.record,
    account: accounts.get,
    updateAccount,
    addAccount,
    admitApiRequest: limiter.admit,
    limits: limiter.limits,
    setLimits: limiter.setLimits,
    limitStats: limiter.stats,
    admitMeteredRead: monthlyQuota.admitRead,
    setMonthlyQuota: monthlyQuota.setQuota,
    monthlyQuotaStats: monthlyQuota.stats,
    reset,
  };
}

export type EmulatorStore = ReturnType<typeof createEmulatorStore>;
