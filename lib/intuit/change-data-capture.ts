// GET /v3/company/{realmId}/cdc: change data capture, how the app catches up on changes whose webhooks it missed
// (intuit.md §6). Read into one list of changes (entity, id, operation, when), whatever the entities asked for.

import { z } from "zod";
import { qboRequest, type QboCallInput } from "./qbo-request";

/** Intuit keeps 30 days of changes for CDC; an older changedSince is refused (intuit.md §6). */
export const CDC_LOOKBACK_MS = 30 * 24 * 60 * 60 * 1000;
/** Objects per CDC answer, shared by all the entities asked for; there is no paging (intuit.md §6). */
export const CDC_MAX_OBJECTS = 1000;

export type CdcOperation = "create" | "update" | "delete";

export interface CdcChange {
  /** Lower-cased like webhook events (lib/intuit/webhook-payload.ts): "customer", "billpayment". */
  entity: string;
  entityId: string;
  operation: CdcOperation;
  /** The object's MetaData.LastUpdatedTime: when its latest change was made. */
  lastUpdated: Date;
}

export interface ChangeDataCaptureInput extends QboCallInput {
  /** Intuit's entity names, e.g. ["Customer", "Invoice"]. */
  entities: readonly string[];
  changedSince: Date;
}

export interface ChangeDataCaptureResult {
  changes: CdcChange[];
  intuitTid: string | null;
  /**
   * The answer held CDC_MAX_OBJECTS objects: Intuit may have left some out, and says nothing about which. Ask again
   * for fewer entities, or from a later changedSince.
   */
  capped: boolean;
}

/** Intuit's query bookkeeping keys, next to the entity arrays in each QueryResponse element. */
const QUERY_RESPONSE_KEYS = new Set(["startPosition", "maxResults", "totalCount"]);

/** The objects CDC returns are full entities; only what says which object changed, how and when is read. */
const cdcObjectSchema = z.looseObject({
  Id: z.string().min(1),
  status: z.string().optional(),
  MetaData: z.looseObject({
    CreateTime: z.string().optional(),
    LastUpdatedTime: z.string().refine((value) => !Number.isNaN(Date.parse(value)), "LastUpdatedTime must be a date-time"),
  }),
});

const cdcResponseSchema = z.looseObject({
  CDCResponse: z.array(
    z.looseObject({
      // One element per entity with changes, `[{}]` when nothing changed.
      QueryResponse: z
        .array(
          z.record(z.string(), z.unknown()).transform((element, zctx) => {
            const objects: { entity: string; object: z.infer<typeof cdcObjectSchema> }[] = [];
            for (const [key, value] of Object.entries(element)) {
              // Bookkeeping, or a scalar Intuit may add one day: not a list of objects. An object where a list belongs
              // is refused below rather than skipped, so a change can never be dropped unnoticed.
              if (QUERY_RESPONSE_KEYS.has(key) || value === null || typeof value !== "object") continue;
              const parsed = z.array(cdcObjectSchema).safeParse(value);
              if (!parsed.success) {
                zctx.addIssue({ code: "custom", message: `${key} is not a list of QuickBooks objects` });
                return z.NEVER;
              }
              for (const object of parsed.data) objects.push({ entity: key, object });
            }
            return objects;
          }),
        )
        .optional(),
    }),
  ),
  time: z.string().optional(),
});

function cdcOperation(object: z.infer<typeof cdcObjectSchema>): CdcOperation {
  if (object.status?.toLowerCase() === "deleted") return "delete";
  const created = object.MetaData.CreateTime ? Date.parse(object.MetaData.CreateTime) : Number.NaN;
  // Created and not touched since: the only change is the creation. Anything else is reported as an update (CDC
  // cannot tell a void or an email from an edit).
  return created === Date.parse(object.MetaData.LastUpdatedTime) ? "create" : "update";
}

/** ISO 8601 in UTC to the second, the form Intuit documents; the milliseconds are dropped (an earlier bound). */
export function formatChangedSince(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * GET /v3/company/{realmId}/cdc?entities=…&changedSince=…: each object of the given entities changed since then,
 * once, in its latest state. Intuit answers for 30 days back at most and 1,000 objects at most (see `capped`).
 */
export async function getChangeDataCapture(input: ChangeDataCaptureInput): Promise<ChangeDataCaptureResult> {
  if (input.entities.length === 0) throw new RangeError("getChangeDataCapture needs at least one entity");
  const query = { entities: input.entities.join(","), changedSince: formatChangedSince(input.changedSince) };
  const result = await qboRequest(input, { path: "/cdc", query, schema: cdcResponseSchema });
  const objects = result.data.CDCResponse.flatMap((response) => (response.QueryResponse ?? []).flat());
  const changes = objects.map(
    ({ entity, object }): CdcChange => ({
      entity: entity.toLowerCase(),
      entityId: object.Id,
      operation: cdcOperation(object),
      lastUpdated: new Date(Date.parse(object.MetaData.LastUpdatedTime)),
    }),
  );
  return { changes, intuitTid: result.intuitTid, capped: objects.length >= CDC_MAX_OBJECTS };
}
