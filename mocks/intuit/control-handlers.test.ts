// POST /__emulator/grants and GET /__emulator/grants: the load tests' way to give thousands of connections a refresh
// token the emulator knows, and to prove afterwards that none was renewed twice.

import { describe, expect, it } from "vitest";
import { useIntuitMock } from "./vitest";

const intuit = useIntuitMock("http://intuit.test");
const control = (path: string) => `${intuit.origin}/__emulator/${path}`;
const basic = `Basic ${btoa(`${intuit.clientId}:${intuit.clientSecret}`)}`;

interface BulkGrant {
  realmId: string;
  grantId: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  refreshTokenExpiresIn: number;
  refreshTokenHardExpiresIn: number;
}

async function createGrants(body: unknown): Promise<Response> {
  return fetch(control("grants"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

async function refresh(refreshToken: string): Promise<Response> {
  return fetch(intuit.tokenUrl, {
    method: "POST",
    headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken }),
  });
}

async function stats() {
  return (await (await fetch(control("grants"))).json()) as Record<string, number>;
}

describe("bulk grants", () => {
  it("creates one live grant per realm whose tokens Intuit's endpoints accept", async () => {
    const realmIds = Array.from({ length: 2_000 }, (_, i) => `77000${String(i).padStart(6, "0")}`);
    const response = await createGrants({ realmIds });
    expect(response.status).toBe(201);
    const { grants } = (await response.json()) as { grants: BulkGrant[] };
    expect(grants.map((g) => g.realmId)).toEqual(realmIds);
    expect(new Set(grants.map((g) => g.refreshToken)).size).toBe(realmIds.length);
    expect(new Set(grants.map((g) => g.grantId)).size).toBe(realmIds.length);
    expect(grants[0]).toMatchObject({ expiresIn: 3600, refreshTokenExpiresIn: 8_726_400 });
    expect(grants[0]!.refreshTokenHardExpiresIn).toBeGreaterThan(grants[0]!.refreshTokenExpiresIn);

    // The access token opens the realm's API; the refresh token renews exactly like one from a consent.
    expect(intuit.emulator.activeTokens({ realmId: realmIds[7]!, kind: "access" }).map((t) => t.token)).toEqual([grants[7]!.accessToken]);
    const renewed = await refresh(grants[7]!.refreshToken);
    expect(renewed.status).toBe(200);
    const body = (await renewed.json()) as { refresh_token: string; access_token: string };
    expect(body.refresh_token).not.toBe(grants[7]!.refreshToken);
    expect(intuit.emulator.activeTokens({ realmId: realmIds[7]!, kind: "refresh" }).map((t) => t.token)).toEqual([body.refresh_token]);
    expect(await stats()).toEqual({
      grants: realmIds.length,
      refreshes: 1,
      refreshedGrants: 1,
      grantsRefreshedMoreThanOnce: 0,
      maxRefreshesPerGrant: 1,
      refreshTokenReuses: 0,
    });
  });

  it("counts a grant renewed twice and a rotated refresh token presented again", async () => {
    const { grants } = (await (await createGrants({ realmIds: ["7701", "7702"] })).json()) as { grants: BulkGrant[] };
    const first = (await (await refresh(grants[0]!.refreshToken)).json()) as { refresh_token: string };
    // The old token again: refused (rotation is immediate by default) and counted as a reuse.
    const replay = await refresh(grants[0]!.refreshToken);
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: string }).error).toBe("invalid_grant");
    // The new token: a second renewal of the same grant.
    expect((await refresh(first.refresh_token)).status).toBe(200);
    expect((await refresh(grants[1]!.refreshToken)).status).toBe(200);
    expect(await stats()).toMatchObject({ refreshes: 3, refreshedGrants: 2, grantsRefreshedMoreThanOnce: 1, maxRefreshesPerGrant: 2, refreshTokenReuses: 1 });

    // reset forgets the grants and the counts.
    await fetch(control("reset"), { method: "POST" });
    expect(await stats()).toMatchObject({ grants: 0, refreshes: 0, refreshTokenReuses: 0 });
  });

  it("refuses a bad body", async () => {
    for (const body of [{}, { realmIds: [] }, { realmIds: ["1", "1"] }, { realmIds: [""] }, { realmIds: ["1"], extra: true }, { realmIds: Array.from({ length: 20_001 }, (_, i) => String(i)) }]) {
      const response = await createGrants(body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe("invalid_request");
    }
    expect((await stats()).grants).toBe(0);
  });
});
