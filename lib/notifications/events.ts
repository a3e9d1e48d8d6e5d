import type { Action } from "@/lib/auth/permissions";

// The notification vocabulary (issue 18): closed and versioned. Each event type says what happened in plain words,
// what to do and where (the console page whose button does it), which permission a person needs to act on it (the
// tenant's members who hold it get the email), and the shape of its data. The data never holds a token, a code or a
// secret: it is written to the outbox, shown in the inbox, emailed and posted to the tenant's endpoints as it is.
// Adding a field is a compatible change; renaming or removing one is a new version of the type.

/** The version every event of this vocabulary is emitted with (`data.version` on the wire is `version`). */
export const EVENT_VERSION = 1;

interface ConnectionData {
  environment: "sandbox" | "production";
  realmId: string | null;
}

/** Each event type's data, as emitted, stored and sent. */
export interface EventData {
  "connection.connected": ConnectionData;
  "connection.reauthorization_required": ConnectionData & { reason: string; message: string };
  "connection.disconnected": ConnectionData & { by: "console" | "quickbooks" };
  "connection.recovered": ConnectionData;
  "refresh_token.hard_expiry_approaching": ConnectionData & { expiresAt: string; daysLeft: number };
  "webhooks.dead_lettered": { environment: "sandbox" | "production" | null; events: number };
  "webhooks.signature_failures": { failures: number; since: string };
  "reconciliation.differences": { reconciliationId: number; period: string; environment: "sandbox" | "production"; unexplained: number };
  "sync.failed": { runId: number; environment: "sandbox" | "production"; realmId: string; message: string };
  "usage.quota_threshold": { threshold: number; reads: number; quota: number; month: string };
}

export type EventType = keyof EventData;

/**
 * "Send test event" on an endpoint: posted to that endpoint only, tried once, never emailed or shown in the inbox. Not
 * part of the vocabulary (nothing in the product emits it), so receivers can tell a test from a real event.
 */
export const TEST_EVENT_TYPE = "endpoint.test";

interface EventKind<T extends EventType> {
  /** One line, for the inbox and the email's subject (the tenant's name is added in front). */
  title: string;
  /** What happened and what to do, in plain words. */
  body: (data: EventData[T]) => string;
  /** The button: its label and the console page that does it (a page for the event's own company when it names one). */
  action: { label: string; path: string | ((data: EventData[T]) => string) };
  /** Who can act on it: the tenant's members whose role grants this get the email (unless they turned it off). */
  permission: Action;
}

/**
 * Intuit's Reconnect URL page (app/quickbooks/reconnect): for a company, it switches the reader to the tenant holding
 * it before anything starts, so an email about one tenant never reconnects another the reader happens to have open.
 */
const reconnectPath = (d: ConnectionData) => (d.realmId ? `/quickbooks/reconnect?realmId=${encodeURIComponent(d.realmId)}` : "/integrations/quickbooks");
const env = (e: "sandbox" | "production" | null) => (e === "production" ? "production" : "sandbox");
const company = (d: ConnectionData) => `the ${env(d.environment)} QuickBooks company${d.realmId ? ` ${d.realmId}` : ""}`;

const KINDS: { [T in EventType]: EventKind<T> } = {
  "connection.connected": {
    title: "QuickBooks is connected",
    body: (d) => `The connection to ${company(d)} is verified and active.`,
    action: { label: "Open the console", path: "/integrations/quickbooks" },
    permission: "quickbooks.connect",
  },
  "connection.reauthorization_required": {
    title: "QuickBooks needs to be reconnected",
    body: (d) => `${d.message} Until then nothing syncs with ${company(d)}.`,
    action: { label: "Reconnect", path: reconnectPath },
    permission: "quickbooks.connect",
  },
  "connection.disconnected": {
    title: "QuickBooks was disconnected",
    body: (d) =>
      d.by === "quickbooks"
        ? `${company(d)} was disconnected from inside QuickBooks. Nothing syncs until someone connects it again.`
        : `${company(d)} was disconnected in the console. Nothing syncs until someone connects it again.`,
    action: { label: "Reconnect", path: "/integrations/quickbooks" },
    permission: "quickbooks.connect",
  },
  "connection.recovered": {
    title: "QuickBooks is working again",
    body: (d) => `The connection to ${company(d)} is active again; syncing resumes.`,
    action: { label: "Open the console", path: "/integrations/quickbooks" },
    permission: "quickbooks.connect",
  },
  "refresh_token.hard_expiry_approaching": {
    title: "QuickBooks authorization expires soon",
    body: (d) =>
      `Intuit ends the authorization of ${company(d)} on ${d.expiresAt.slice(0, 10)}, in ${d.daysLeft} days, whatever renewals happen. Reconnect before then to keep syncing.`,
    action: { label: "Reconnect", path: reconnectPath },
    permission: "quickbooks.connect",
  },
  "webhooks.dead_lettered": {
    title: "QuickBooks changes could not be processed",
    body: (d) => `${d.events} change notification${d.events === 1 ? "" : "s"} from QuickBooks failed every retry and wait${d.events === 1 ? "s" : ""} in the dead-letter queue. Retry them once the cause is fixed.`,
    action: { label: "Retry", path: "/integrations/quickbooks/logs" },
    permission: "webhooks.manage",
  },
  "webhooks.signature_failures": {
    title: "Webhooks with a bad signature",
    body: (d) => `${d.failures} webhook deliveries since ${d.since.slice(0, 16).replace("T", " ")} UTC carried a signature that does not match the verifier token. Check the token in Intuit's app settings.`,
    action: { label: "Open the webhook log", path: "/integrations/quickbooks/logs" },
    permission: "webhooks.manage",
  },
  "reconciliation.differences": {
    title: "Reconciliation has unexplained differences",
    body: (d) => `The ${d.period} reconciliation (${env(d.environment)}) has ${d.unexplained} unexplained difference${d.unexplained === 1 ? "" : "s"}. Explain or correct them before closing the month.`,
    action: { label: "Open the reconciliation", path: "/integrations/quickbooks/reconciliation" },
    permission: "reconciliation.manage",
  },
  "sync.failed": {
    title: "A QuickBooks sync failed",
    body: (d) => `Sync run ${d.runId} (${env(d.environment)}) stopped: ${d.message}`,
    action: { label: "Retry", path: "/integrations/quickbooks/mappings" },
    permission: "sync.run",
  },
  "usage.quota_threshold": {
    title: "Intuit read quota running out",
    body: (d) => `${d.threshold} % of this month's ${d.quota.toLocaleString("en-US")} metered reads are used (${d.reads.toLocaleString("en-US")}, ${d.month}). Past the quota Intuit blocks every read until next month.`,
    action: { label: "Open usage", path: "/integrations/quickbooks/usage" },
    permission: "usage.read",
  },
};

export const EVENT_TYPES = Object.keys(KINDS) as EventType[];

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(KINDS, value);
}

/** What an event says and asks for. */
export function describeEvent<T extends EventType>(type: T, data: EventData[T]): { title: string; body: string; action: { label: string; path: string }; permission: Action } {
  const kind = KINDS[type] as EventKind<T>;
  const path = typeof kind.action.path === "function" ? kind.action.path(data) : kind.action.path;
  return { title: kind.title, body: kind.body(data), action: { label: kind.action.label, path }, permission: kind.permission };
}

/** The permission a type's recipients hold. */
export function permissionFor(type: EventType): Action {
  return KINDS[type].permission;
}

/** A type's one-line title (the same for every event of it). */
export function eventTitle(type: EventType): string {
  return KINDS[type].title;
}
