// How the refresh tokens were used since the last reset: what a load test checks to prove that no connection was
// renewed twice. Kept apart from the grant rules (grants.ts), which only report each refresh and each reuse here.

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

export function createRefreshStats() {
  // Successful refreshes per grant id.
  const refreshesByGrant = new Map<string, number>();
  let refreshTokenReuses = 0;

  return {
    countRefresh(grantId: string): void {
      refreshesByGrant.set(grantId, (refreshesByGrant.get(grantId) ?? 0) + 1);
    },
    /** A refresh token presented again after it was rotated (a double renewal, or a lost answer). */
    countReuse(): void {
      refreshTokenReuses += 1;
    },
    reuses: (): number => refreshTokenReuses,
    stats(grants: number): GrantRefreshStats {
      let refreshes = 0;
      let moreThanOnce = 0;
      let max = 0;
      for (const count of refreshesByGrant.values()) {
        refreshes += count;
        if (count > 1) moreThanOnce += 1;
        max = Math.max(max, count);
      }
      return {
        grants,
        refreshes,
        refreshedGrants: refreshesByGrant.size,
        grantsRefreshedMoreThanOnce: moreThanOnce,
        maxRefreshesPerGrant: max,
        refreshTokenReuses,
      };
    },
    reset(): void {
      refreshesByGrant.clear();
      refreshTokenReuses = 0;
    },
  };
}
