import "server-only";
import { z } from "zod";
import { db } from "@/db";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { env } from "@/lib/env";
import { findConnection } from "./store/connections";
import { intuitAppFor } from "./client/intuit-app";

const emulatorAnswer = z.object({ ok: z.boolean(), status: z.number(), eventId: z.string() });

/** Whether "Send test webhook" can work here: development or sandbox, with the local Intuit emulator to send it. */
export function testWebhooksAvailable(environment: "sandbox" | "production"): boolean {
  return env().intuit.emulatorAvailable && environment === "sandbox";
}

/**
 * Has the Intuit emulator sign and send one change event for the tenant's company to this app's webhook endpoint,
 * so an admin sees the endpoint answer 200 OK end to end (and the delivery appear in the log).
 */
export async function sendTestWebhook(tenantId: string, actorUserId: string) {
  const app = await intuitAppFor(tenantId);
  if (!testWebhooksAvailable(app.environment)) {
    throw new AppError("test_webhooks_unavailable", 409, "Test webhooks are available only in development and sandbox, with the Intuit emulator.");
  }
  const connection = await findConnection(db(), tenantId, app.environment);
  if (!connection?.realmId) throw new AppError("not_connected", 409, "Connect to QuickBooks first: the test event is for the connected company.");
  let answer: z.infer<typeof emulatorAnswer>;
  try {
    const response = await fetch(`${env().intuit.emulatorUrl}/__emulator/send-webhook`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ targetUrl: `${env().appUrl}/api/quickbooks/webhooks`, realmId: connection.realmId }),
      signal: AbortSignal.timeout(15_000),
    });
    answer = emulatorAnswer.parse(await response.json());
  } catch (error) {
    throw new AppError("emulator_unavailable", 502, "The Intuit emulator could not be reached to send the test webhook.", { cause: error });
  }
  await recordAudit(db(), {
    tenantId,
    actorUserId,
    action: "webhooks.test_sent",
    target: `quickbooks:${app.environment}:${connection.realmId}`,
    outcome: answer.ok ? "success" : "failure",
    details: { endpointStatus: answer.status, eventId: answer.eventId },
  });
  return { endpointStatus: answer.status, eventId: answer.eventId };
}
