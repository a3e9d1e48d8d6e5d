import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db";
import { auditEvents } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { useTestDatabase } from "./database";
import { tenantId } from "./session";

useTestDatabase();

describe("audit trail", () => {
  it("is append-only: the database refuses UPDATE and DELETE", async () => {
    const tenant = await tenantId("acme");
    await recordAudit(db(), { tenantId: tenant, actorUserId: null, action: "connection.verified", outcome: "success" });
    const [event] = await db().select().from(auditEvents).where(eq(auditEvents.tenantId, tenant));
    expect(event).toBeDefined();

    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => "allowed",
        (error: Error) => String((error.cause as Error | undefined)?.message ?? error.message),
      );
    expect(await refusal(db().update(auditEvents).set({ outcome: "failure" }).where(eq(auditEvents.id, event!.id)))).toMatch(/append-only/);
    expect(await refusal(db().delete(auditEvents).where(eq(auditEvents.id, event!.id)))).toMatch(/append-only/);
    const [still] = await db().select().from(auditEvents).where(eq(auditEvents.id, event!.id));
    expect(still!.outcome).toBe("success");
  });
});
