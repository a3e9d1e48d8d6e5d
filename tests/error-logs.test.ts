// Issue 15, point 7: an error log says what failed (the error's name, SQLSTATE, constraint, table), never what a query
// carried. Drizzle's message for a failed statement is "Failed query: <sql>\nparams: <values>", and the values are
// emails, addresses and sealed tokens: a failing insert holding an email and a sealed token is logged without them,
// by the route handlers' 500 path and by the webhook queue (whose last error the logs page shows).
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { db, type Executor } from "@/db";
import { users, webhookEvents } from "@/db/schema";
import { tokenCipher } from "@/lib/crypto/cipher";
import { toErrorResponse } from "@/lib/errors";
import { processPendingWebhookEvents } from "@/lib/quickbooks/process-webhook-events";
import { useTestDatabase } from "./database";

useTestDatabase();

const EMAIL = "accountant@acme.test";
const sealedToken = () => tokenCipher().encrypt("refresh-token-that-must-stay-secret");

/** An insert that fails on the unique email, with the email and a sealed token among its parameters. */
async function failingInsert(executor: Executor = db()): Promise<unknown> {
  try {
    await executor.insert(users).values({ email: EMAIL, name: sealedToken(), passwordHash: "x" });
  } catch (error) {
    return error;
  }
  throw new Error("the insert was expected to fail");
}

/** Everything written to console.error and console.warn, as the lines a log would hold. */
function captureConsole(): string[] {
  const lines: string[] = [];
  const keep = (...args: unknown[]) => void lines.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === "string" ? a : JSON.stringify(a))).join(" "));
  vi.spyOn(console, "error").mockImplementation(keep);
  vi.spyOn(console, "warn").mockImplementation(keep);
  return lines;
}

afterEach(() => vi.restoreAllMocks());

describe("error logs hold no query parameters", () => {
  it("a route's unexpected database error: a 500, logged with its SQLSTATE and constraint only", async () => {
    const error = await failingInsert();
    const sealed = (error as { params?: unknown[] }).params?.[1];
    expect(String(sealed)).toMatch(/\S{20,}/);
    const lines = captureConsole();

    const response = toErrorResponse(error);

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: "internal_error", message: expect.any(String) } });
    const logged = lines.join("\n");
    expect(logged).toContain("23505");
    expect(logged).toContain("users_email");
    expect(logged).not.toContain(EMAIL);
    expect(logged).not.toContain(String(sealed));
    expect(logged).not.toMatch(/insert into|params:/i);
  });

  it("a webhook event whose processing failed on such an insert: neither the console nor its stored last error has them", async () => {
    const [event] = await db()
      .insert(webhookEvents)
      .values({ eventKey: "error-logs-1", deliveryId: 1, realmId: "9130", tenantId: null, entity: "customer", entityId: "1", operation: "Update", nextAttemptAt: new Date(Date.now() - 1000) })
      .returning();
    let sealed = "";
    const lines = captureConsole();

    await processPendingWebhookEvents({
      // In the batch's transaction, as processing runs (PGlite has one connection: the transaction holds it).
      processor: async (tx) => {
        const error = await failingInsert(tx);
        sealed = String((error as { params?: unknown[] }).params?.[1]);
        throw error;
      },
    });

    const [stored] = await db().select({ lastError: webhookEvents.lastError }).from(webhookEvents).where(eq(webhookEvents.id, event!.id));
    expect(stored!.lastError).toContain("23505");
    for (const text of [stored!.lastError ?? "", lines.join("\n")]) {
      expect(text).not.toContain(EMAIL);
      expect(text).not.toContain(sealed);
      expect(text).not.toMatch(/insert into|params:/i);
    }
  });
});
