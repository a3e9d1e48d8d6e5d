import { createHash } from "node:crypto";
import { z } from "zod";

/**
 * Intuit's two webhook payloads, read into one shape: the older `eventNotifications` document and the CloudEvents
 * array (intuit.md §6). Each event gets a stable key, so a retried or duplicated delivery is stored once.
 */

export interface WebhookEvent {
  /** CloudEvents: `ce:<id>`; legacy: a digest of realm, entity, id, operation and time. */
  key: string;
  realmId: string;
  entity: string;
  entityId: string;
  operation: string;
  occurredAt: Date | null;
}

export type WebhookFormat = "legacy" | "cloudevents";

const legacySchema = z.object({
  eventNotifications: z.array(
    z.object({
      realmId: z.string().min(1).max(64),
      dataChangeEvent: z.object({
        entities: z.array(
          z.object({
            name: z.string().min(1).max(100),
            id: z.string().min(1).max(100),
            operation: z.string().min(1).max(50),
            lastUpdated: z.string().max(64).optional(),
            deletedId: z.string().max(100).optional(),
          }),
        ),
      }),
    }),
  ),
});

const cloudEventSchema = z.object({
  specversion: z.string().min(1).max(10),
  id: z.string().min(1).max(200),
  type: z.string().regex(/^qbo\.[a-z0-9_]+\.[a-z0-9_]+(\.v\d+)?$/i, "type must look like qbo.<entity>.<operation>.v1"),
  time: z.string().max(64).optional(),
  intuitentityid: z.string().min(1).max(100),
  intuitaccountid: z.string().min(1).max(64),
});

// CloudEvents say "created", the older payload "Create": one vocabulary for both.
const OPERATIONS: Record<string, string> = { created: "create", updated: "update", deleted: "delete", merged: "merge", voided: "void", emailed: "emailed" };

function parseTime(value: string | undefined): Date | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time);
}

function legacyKey(parts: string[]): string {
  return `legacy:${createHash("sha256").update(parts.join("\u0000")).digest("base64url")}`;
}

export class WebhookPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookPayloadError";
  }
}

/** Reads a parsed JSON body; throws WebhookPayloadError when it is neither format. */
export function readWebhookPayload(json: unknown): { format: WebhookFormat; events: WebhookEvent[] } {
  if (json && typeof json === "object" && !Array.isArray(json) && "eventNotifications" in json) {
    const parsed = legacySchema.safeParse(json);
    if (!parsed.success) throw new WebhookPayloadError(`Unrecognised eventNotifications payload: ${parsed.error.issues[0]?.message}`);
    const events = parsed.data.eventNotifications.flatMap((notification) =>
      notification.dataChangeEvent.entities.map((entity): WebhookEvent => {
        const operation = entity.operation.toLowerCase();
        return {
          key: legacyKey([notification.realmId, entity.name, entity.id, operation, entity.lastUpdated ?? ""]),
          realmId: notification.realmId,
          entity: entity.name.toLowerCase(),
          entityId: entity.id,
          operation,
          occurredAt: parseTime(entity.lastUpdated),
        };
      }),
    );
    return { format: "legacy", events };
  }
  const list = Array.isArray(json) ? json : [json];
  const parsed = z.array(cloudEventSchema).min(1).max(1000).safeParse(list);
  if (!parsed.success) throw new WebhookPayloadError(`Unrecognised webhook payload: ${parsed.error.issues[0]?.message}`);
  return {
    format: "cloudevents",
    events: parsed.data.map((event): WebhookEvent => {
      const [, entity = "unknown", operation = "unknown"] = event.type.toLowerCase().split(".");
      return {
        key: `ce:${event.id}`,
        realmId: event.intuitaccountid,
        entity,
        entityId: event.intuitentityid,
        operation: OPERATIONS[operation] ?? operation,
        occurredAt: parseTime(event.time),
      };
    }),
  };
}
