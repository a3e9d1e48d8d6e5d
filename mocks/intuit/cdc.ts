// Change data capture, as the emulator serves it (intuit.md §6 "CDC catch-up"; Intuit's docs `change-data-capture`):
//
//   GET /v3/company/{realmId}/cdc?entities=Customer,Invoice&changedSince=<ISO date or date-time>&minorversion=75
//
// - Each object that changed since `changedSince` comes back once, in its latest state: the full object, or
//   `{"domain":"QBO","status":"Deleted","Id","MetaData":{"LastUpdatedTime"}}` when it was deleted.
// - Only entities with changes are listed: `{"CDCResponse":[{"QueryResponse":[{"Customer":[…],"startPosition":1,
//   "maxResults":n}, …]}],"time"}`; nothing changed at all is `"QueryResponse":[{}]`.
// - 30 days back at most; older is a 400 ValidationFault. At most 1,000 objects per response, shared by the
//   requested entities. Which ones Intuit keeps when there are more is not documented: the emulator keeps the oldest
//   1,000 (by LastUpdatedTime), the order that lets a client make progress by moving its changedSince forward.
// - Entity names are case-insensitive in the request (Intuit's own example asks for `estimate,customer`) and
//   canonical in the answer. Every API entity works except JournalCode, TaxAgency, TimeActivity, TaxCode and TaxRate.
//
// The changes themselves come from the emulator's per-realm change log (change-log.ts), fed by
// POST /__emulator/changes, POST /__emulator/send-webhook, the account changes (POST /__emulator/accounts) and the
// journal (POST /__emulator/journal), so webhooks and CDC always agree. A journal entry posted is a JournalEntry
// Create at its post time; the accounts it posts to are not reported: an Account changes in CDC only when the account
// itself is edited (its name, number, status; a balance set through the account control is such an edit, and also
// posts an adjusting JournalEntry). The emulator assumes QuickBooks behaves so: a transaction does not edit the Account
// entity, whose CurrentBalance is derived (Intuit documents nothing either way). An object the emulator really holds
// (an Account, a JournalEntry) comes back as it is now, exactly as a query would return it; any other object as a
// plausible stand-in with its Id, SyncToken and MetaData.

import { canonicalCdcEntity, type EmulatorChange } from "./change-log";
import type { ServiceError } from "./intuit-responses";
import { intuitLocalTime } from "./intuit-time";

/** Intuit keeps this much change history for CDC. */
export const CDC_LOOKBACK_MS = 30 * 24 * 60 * 60 * 1000;
/** Objects per CDC response, across all requested entities. */
export const CDC_MAX_OBJECTS = 1000;

/** Real API entities that CDC refuses (Intuit's docs list them as the exceptions). */
const CDC_UNSUPPORTED = ["JournalCode", "TaxAgency", "TimeActivity", "TaxCode", "TaxRate"];

// Objects that existed before the change log began were created at the fixtures' fixed time.
const PREEXISTING_CREATE_TIME = "2024-03-04T09:15:27-08:00";

const NAME_FIELDS: Record<string, string> = {
  Customer: "DisplayName",
  Vendor: "DisplayName",
  Employee: "DisplayName",
  Account: "Name",
  Item: "Name",
  Class: "Name",
  Department: "Name",
  Term: "Name",
  PaymentMethod: "Name",
  Budget: "Name",
};

interface ObjectHistory {
  entity: string;
  id: string;
  /** Oldest first. */
  changes: EmulatorChange[];
}

function histories(log: readonly EmulatorChange[], entities: ReadonlySet<string>): ObjectHistory[] {
  const byObject = new Map<string, ObjectHistory>();
  for (const change of log) {
    if (!entities.has(change.entity)) continue;
    const key = `${change.entity}\u0000${change.id}`;
    const history = byObject.get(key) ?? { entity: change.entity, id: change.id, changes: [] };
    history.changes.push(change);
    byObject.set(key, history);
  }
  for (const history of byObject.values()) history.changes.sort((a, b) => a.at - b.at);
  return [...byObject.values()];
}

function latest(history: ObjectHistory): EmulatorChange {
  return history.changes[history.changes.length - 1]!;
}

/** The current JSON of an object the emulator holds (entity, id), or undefined. */
export type CurrentObject = (entity: string, id: string) => Record<string, unknown> | undefined;

/** The object as CDC returns it: its latest state, or the deleted stub. */
function cdcObject(history: ObjectHistory, current: CurrentObject): Record<string, unknown> {
  const last = latest(history);
  const lastUpdated = intuitLocalTime(last.at);
  if (last.operation === "Delete") {
    return { domain: "QBO", status: "Deleted", Id: history.id, MetaData: { LastUpdatedTime: lastUpdated } };
  }
  const held = current(history.entity, history.id);
  if (held) return held;
  const created = history.changes.find((change) => change.operation === "Create");
  const edits = history.changes.length - (created ? 1 : 0);
  const nameField = NAME_FIELDS[history.entity];
  const descriptive = nameField
    ? { [nameField]: `${history.entity} ${history.id}` }
    : { DocNumber: history.id, TxnDate: lastUpdated.slice(0, 10) };
  return {
    ...descriptive,
    domain: "QBO",
    sparse: false,
    Id: history.id,
    SyncToken: String(edits),
    MetaData: { CreateTime: created ? intuitLocalTime(created.at) : PREEXISTING_CREATE_TIME, LastUpdatedTime: lastUpdated },
  };
}

export type CdcRequest = { entities: string[]; changedSince: number } | { error: ServiceError };

function invalid(message: string, detail: string): { error: ServiceError } {
  return { error: { message, detail, code: "2010" } };
}

/** Reads and checks the query string against the emulator's clock. */
export function parseCdcRequest(url: URL, nowMs: number): CdcRequest {
  const rawEntities = url.searchParams.get("entities") ?? "";
  const rawSince = url.searchParams.get("changedSince") ?? "";
  const names = rawEntities.split(",").map((name) => name.trim()).filter(Boolean);
  if (names.length === 0) return invalid("Request has invalid or unsupported property", "Property Name:entities specified is missing or empty");
  const entities: string[] = [];
  for (const name of names) {
    const entity = canonicalCdcEntity(name);
    if (!entity) {
      const unsupported = CDC_UNSUPPORTED.some((other) => other.toLowerCase() === name.toLowerCase());
      return invalid(
        "Request has invalid or unsupported property",
        unsupported ? `Operation cdc is not supported for entity ${name}` : `Property Name:entities specified is unsupported or invalid: ${name}`,
      );
    }
    if (!entities.includes(entity)) entities.push(entity);
  }
  const changedSince = Date.parse(rawSince);
  if (!rawSince || Number.isNaN(changedSince)) {
    return invalid("Request has invalid or unsupported property", "Property Name:changedSince specified is missing or not a valid date-time");
  }
  if (changedSince < nowMs - CDC_LOOKBACK_MS) {
    // The wording Intuit answers with [L] (Wish-Org/QuickBooksSharp#19); the error code is not known, 2010 assumed.
    const text = `Operation cdc with changedSince date ${rawSince} which is older than fixed days is not supported.`;
    return { error: { message: text, detail: `${text} Changes are kept for 30 days.`, code: "2010" } };
  }
  return { entities, changedSince };
}

/** The CDCResponse document (without `time`, which the route adds). */
export function cdcResponseBody(log: readonly EmulatorChange[], request: { entities: string[]; changedSince: number }, current: CurrentObject = () => undefined): Record<string, unknown> {
  const changed = histories(log, new Set(request.entities))
    .filter((history) => latest(history).at >= request.changedSince)
    .sort((a, b) => latest(a).at - latest(b).at || a.id.localeCompare(b.id))
    .slice(0, CDC_MAX_OBJECTS);
  const queryResponse = request.entities.flatMap((entity) => {
    const objects = changed.filter((history) => history.entity === entity).map((history) => cdcObject(history, current));
    return objects.length === 0 ? [] : [{ [entity]: objects, startPosition: 1, maxResults: objects.length }];
  });
  return { CDCResponse: [{ QueryResponse: queryResponse.length === 0 ? [{}] : queryResponse }] };
}
