import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db";
import { tenants } from "@/db/schema";
import { useTestDatabase } from "@/tests/database";
import { findMembership, findUserByEmail } from "@/lib/auth/users";

useTestDatabase();

const ids = async () => {
  const user = (await findUserByEmail(db(), "accountant@acme.test"))!;
  const tenantId = async (slug: string) => (await db().select().from(tenants).where(eq(tenants.slug, slug)))[0]!.id;
  return { userId: user.id, acme: await tenantId("acme"), globex: await tenantId("globex") };
};

describe("findMembership", () => {
  it("finds the user's role on a tenant they belong to, with ids in either case", async () => {
    const { userId, acme } = await ids();
    const expected = { tenantId: acme, tenantName: "Acme Field Services", role: "accountant" };
    expect(await findMembership(userId, acme)).toEqual(expected);
    expect(await findMembership(userId.toUpperCase(), acme.toUpperCase())).toEqual(expected);
  });

  it("finds nothing on a tenant the user does not belong to", async () => {
    const { userId, globex } = await ids();
    expect(await findMembership(userId, globex)).toBeNull();
  });

  it("finds nothing for ids that are not uuids, without an error (sent to the database, each would fail its uuid cast: a 500)", async () => {
    const { userId, acme } = await ids();
    for (const [user, tenant] of [
      ["not-a-uuid' or '1'='1", acme],
      [userId, "'; drop table tenants; --"],
      ["", acme],
      [userId, `${acme}x`],
      [`{${userId}}`, acme],
    ] as const) {
      expect(await findMembership(user, tenant)).toBeNull();
    }
  });
});
