// Sealed tokens are bound to their row and column (issue 15, 7b): AES-GCM's additional data names the table, tenant,
// row and column, so a sealed token copied elsewhere by someone who can write the database but has no key does not
// open. Tokens stored before binding existed keep opening until start-up re-seals them in the bound form.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/db";
import { quickbooksConnections, tokenRevocations } from "@/db/schema";
import { tokenCipher } from "@/lib/crypto/cipher";
import { connectionTokenBinding, revocationTokenBinding } from "@/lib/crypto/token-binding";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { attemptRevocation } from "@/lib/quickbooks/attempt-revocation";
import { getUsableAccessToken, renewAccessToken } from "@/lib/quickbooks/client/access-token";
import { inspectAccessTokenSeal } from "@/lib/quickbooks/client/access-token-seal";
import { intuitAppFor } from "@/lib/quickbooks/client/intuit-app";
import { resealStoredTokens } from "@/lib/quickbooks/reseal-stored-tokens";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectionRow, connectTenant, DEFAULT_REALM, resetQuickBooksData } from "./connect-helper";
import { useTestDatabase } from "./database";

useTestDatabase();
const intuit = useIntuitMock();

const GLOBEX_REALM = "9341452000000002";

beforeEach(async () => {
  clearDiscoveryCache();
  await resetQuickBooksData();
});

async function connect(email: string, realmId: string): Promise<string> {
  const { outcome, tenantId } = await connectTenant(email, realmId);
  expect(outcome).toBe("connected");
  return tenantId;
}

const setTokens = (tenantId: string, tokens: { accessTokenEnc?: string; refreshTokenEnc?: string }) =>
  db().update(quickbooksConnections).set(tokens).where(eq(quickbooksConnections.tenantId, tenantId));
const usableToken = async (tenantId: string) => getUsableAccessToken({ tenantId, app: await intuitAppFor(tenantId), background: true });
const tampered = { name: "TokenCipherError", reason: "tampered" };

describe("a sealed token copied to another row or column", () => {
  it("does not open in another tenant's connection, nor in the other token column, and is never sent to Intuit", async () => {
    const acme = await connect("accountant@acme.test", DEFAULT_REALM);
    const globex = await connect("accountant@globex.test", GLOBEX_REALM);
    const acmeRow = (await connectionRow(acme))!;
    expect((await usableToken(acme)).realmId).toBe(DEFAULT_REALM);

    // Acme's access token in Globex's row: Globex's API calls would act on Acme's company.
    await setTokens(globex, { accessTokenEnc: acmeRow.accessTokenEnc! });
    await expect(usableToken(globex)).rejects.toMatchObject(tampered);
    expect(inspectAccessTokenSeal((await connectionRow(globex))!)).toBe("unreadable");

    // Acme's refresh token in Globex's row: never sent to Intuit.
    const calls = intuit.emulator.calls.tokenRefreshToken;
    await setTokens(globex, { refreshTokenEnc: acmeRow.refreshTokenEnc! });
    await expect(renewAccessToken({ tenantId: globex, app: await intuitAppFor(globex), trigger: "manual", force: true })).rejects.toMatchObject(tampered);
    expect(intuit.emulator.calls.tokenRefreshToken).toBe(calls);

    // Acme's refresh token in its own access token column.
    await setTokens(acme, { accessTokenEnc: acmeRow.refreshTokenEnc! });
    await expect(usableToken(acme)).rejects.toMatchObject(tampered);
    // Put back where it was sealed, it opens again.
    await setTokens(acme, { accessTokenEnc: acmeRow.accessTokenEnc! });
    expect((await usableToken(acme)).realmId).toBe(DEFAULT_REALM);
  });
});

describe("tokens stored before binding existed", () => {
  it("keep opening, and start-up re-seals them bound to their rows, the revocations' too, without changing them", async () => {
    const acme = await connect("accountant@acme.test", DEFAULT_REALM);
    const row = (await connectionRow(acme))!;
    const cipher = tokenCipher();
    const access = cipher.decrypt(row.accessTokenEnc!, connectionTokenBinding(row, "access_token_enc"));
    const refresh = cipher.decrypt(row.refreshTokenEnc!, connectionTokenBinding(row, "refresh_token_enc"));
    // As the previous version stored them: unbound.
    await setTokens(acme, { accessTokenEnc: cipher.encrypt(access), refreshTokenEnc: cipher.encrypt(refresh) });
    const [orphan] = intuit.emulator.createGrants(["9341452000000077"]);
    const revocationId = randomUUID();
    await db()
      .insert(tokenRevocations)
      .values({ id: revocationId, tenantId: acme, environment: "sandbox", realmId: orphan!.realmId, tokenEnc: cipher.encrypt(orphan!.refreshToken) });
    expect((await usableToken(acme)).accessToken).toBe(access);

    expect(await resealStoredTokens()).toEqual({ connections: 1, revocations: 1, unreadable: 0 });

    const resealed = (await connectionRow(acme))!;
    for (const value of [resealed.accessTokenEnc!, resealed.refreshTokenEnc!]) expect(cipher.isBoundWithCurrentKey(value)).toBe(true);
    expect(cipher.decrypt(resealed.refreshTokenEnc!, connectionTokenBinding(resealed, "refresh_token_enc"))).toBe(refresh);
    expect((await usableToken(acme)).accessToken).toBe(access);
    const [revocation] = await db().select().from(tokenRevocations).where(eq(tokenRevocations.id, revocationId));
    expect(cipher.decrypt(revocation!.tokenEnc!, revocationTokenBinding(revocation!))).toBe(orphan!.refreshToken);
    // Nothing left to do; the stored refresh token still renews; the re-sealed revocation still revokes.
    expect(await resealStoredTokens()).toEqual({ connections: 0, revocations: 0, unreadable: 0 });
    await expect(renewAccessToken({ tenantId: acme, app: await intuitAppFor(acme), trigger: "manual", force: true })).resolves.toMatchObject({ renewed: true });
    expect(await attemptRevocation(revocationId, null)).toMatchObject({ status: "revoked" });
    expect(intuit.emulator.activeTokens({ realmId: orphan!.realmId })).toHaveLength(0);
    // And once bound, a copy elsewhere no longer opens.
    await setTokens(acme, { accessTokenEnc: resealed.refreshTokenEnc! });
    await expect(usableToken(acme)).rejects.toMatchObject(tampered);
  });
});
