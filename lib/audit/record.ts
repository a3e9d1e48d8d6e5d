import "server-only";
import type { Executor } from "@/db";
import { auditEvents } from "@/db/schema";
import { clientIp } from "@/lib/http/client-ip";
import { countRepeat, foldKey } from "@/lib/logs/repeat-fold";

/** The closed vocabulary of audited actions. */
export type AuditAction =
  | "auth.signed_in"
  | "auth.sign_in_failed"
  | "auth.sign_in_throttled"
  | "auth.tenant_switched"
  | "connection.authorization_started"
  | "connection.callback_failed"
  | "connection.tokens_stored"
  | "connection.verified"
  | "connection.verify_failed"
  | "connection.activated"
  | "connection.reauthorization_required"
  | "connection.disconnected"
  | "connection.claim_dropped"
  | "evidence.downloaded"
  | "credentials.viewed"
  | "credentials.changed"
  | "webhooks.retried"
  | "webhooks.test_sent"
  | "token.refreshed"
  | "token.rotated"
  | "token.refresh_failed"
  | "token.revoked"
  | "token.revoke_failed"
  | "api_key.created"
  | "api_key.used"
  | "api_key.rotated"
  | "api_key.revoked"
  | "logs.viewed"
  | "logs.export_started"
  | "logs.exported"
  | "ledger.imported"
  | "mapping.changed"
  | "mappings.validated"
  | "mappings.production_confirmed"
  | "ledger.accounting_method_changed"
  | "notifications.endpoint_created"
  | "notifications.endpoint_changed"
  | "notifications.endpoint_deleted"
  | "notifications.endpoint_secret_rotated"
  | "notifications.endpoint_tested"
  | "sync.requested"
  | "sync.refused"
  | "sync.completed"
  | "sync.failed"
  | "reconciliation.created"
  | "reconciliation.explained"
  | "reconciliation.closed"
  | "reconciliation.exported"
  | "usage.reads_blocked"
  | "usage.background_slowed"
  | "usage.background_relaxed"
  | "usage.plan_changed"
  | "usage.alert_raised";

export interface RequestMeta {
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
}

/** Flat facts about the action: ids, codes, counts. Never a token, code or secret. */
export type AuditDetails = Record<string, string | number | boolean | null>;

export interface AuditEntry {
  tenantId: string | null;
  actorUserId: string | null;
  /** The API key that acted, when it was one (actorUserId is then null). */
  actorApiKeyId?: string | null;
  action: AuditAction;
  target?: string | null;
  outcome: "success" | "failure";
  details?: AuditDetails;
  meta?: RequestMeta;
}

/** Writes one audit event; pass the transaction of the change it records so both commit together. */
export async function recordAudit(executor: Executor, entry: AuditEntry): Promise<void> {
  await executor.insert(auditEvents).values(auditRow(entry));
}

/**
 * Writes an audit event that a request nobody had to sign in for can cause (a failed callback, a throttled sign-in).
 * Without an actor (no user, no API key) it is folded like the logs (lib/logs/repeat-fold.ts): repeats of the same
 * event from the same source (`meta.ip`) within the same 10 minutes count on the first one's row (repeat_count,
 * last_seen_at) instead of adding rows, so a stranger's flood from one address costs a bounded number of rows. "The
 * same" event: the same action, tenant, target and outcome, and the same values of the `sameDetails` keys. Name only
 * keys whose values a caller cannot vary at will (a closed-vocabulary code, not an email or a realm id): every other
 * detail is the first occurrence's. With an actor it is a row of its own, as recordAudit writes it.
 */
export async function recordFoldableAudit(executor: Executor, entry: AuditEntry, sameDetails: readonly string[] = []): Promise<void> {
  const row = auditRow(entry);
  if (row.actorUserId !== null || row.actorApiKeyId !== null) {
    await executor.insert(auditEvents).values(row);
    return;
  }
  const same = [row.tenantId, row.target, row.outcome, ...sameDetails.map((key) => entry.details?.[key] ?? null)];
  await executor
    .insert(auditEvents)
    .values({ ...row, foldKey: foldKey(`audit:${entry.action}`, row.ip, same, new Date()) })
    .onConflictDoUpdate(countRepeat(auditEvents, auditEvents.createdAt));
}

function auditRow(entry: AuditEntry) {
  return {
    tenantId: entry.tenantId,
    actorUserId: entry.actorUserId,
    actorApiKeyId: entry.actorApiKeyId ?? null,
    action: entry.action,
    target: entry.target ?? null,
    outcome: entry.outcome,
    details: entry.details ?? {},
    requestId: entry.meta?.requestId ?? null,
    ip: entry.meta?.ip ?? null,
    userAgent: entry.meta?.userAgent ?? null,
  };
}

export function requestMetaFrom(req: Request): RequestMeta {
  return requestMetaFromHeaders(req.headers);
}

/** Longest X-Request-Id kept: a proxy's ids are far shorter; the header is the client's to fill. */
export const REQUEST_ID_MAX_LENGTH = 200;

/**
 * The client address is the one the nearest proxy saw (`clientIp`), not the first X-Forwarded-For entry. Every value
 * comes from the client, so each is bounded before it is stored (an empty request id gets a generated one).
 */
export function requestMetaFromHeaders(headers: Headers): RequestMeta {
  return {
    requestId: headers.get("x-request-id")?.slice(0, REQUEST_ID_MAX_LENGTH) || crypto.randomUUID(),
    ip: clientIp(headers),
    userAgent: headers.get("user-agent")?.slice(0, 500) ?? null,
  };
}
