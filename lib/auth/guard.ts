import "server-only";
import { forbidden as forbiddenPage, redirect } from "next/navigation";
import { db } from "@/db";
import { authenticateApiKey, type ApiKeyPrincipal } from "@/lib/api-keys/authenticate-api-key";
import { recordAudit, requestMetaFrom } from "@/lib/audit/record";
import { AppError, forbidden, unauthenticated } from "@/lib/errors";
import { env } from "@/lib/env";
import { TENANT_REQUIRED_MESSAGE, tenantBinding, tenantClaimOf, tenantMismatchMessage } from "@/lib/http/tenant-binding";
import { allows, scopeGranting, SENSITIVE_SCOPES, type Action, type ApiKeyAction } from "./permissions";
import { currentActor, resolveSession, type Actor, type SessionResolution } from "./session";
import { findMembership } from "./users";

export type { ApiKeyPrincipal };

/**
 * Who a route handler acts for: the signed-in person, or, for the actions an API key scope can grant, possibly an
 * API key (whose userId is null). For every other action the type says it is always a person.
 */
export type RequestActor<A extends Action> = A extends ApiKeyAction ? Actor | ApiKeyPrincipal : Actor;

/**
 * The one gate in front of every route handler. With `Authorization: Bearer <key>`: a valid key (else 401
 * `invalid_api_key`) whose scopes grant `action` (else 403); no Origin check, since keys are sent by servers and a
 * browser never attaches one by itself (a key is never read from a cookie), and no tenant binding (a key belongs to
 * one tenant; its requests carry no `x-qbc-tenant`, and one that does is not asked about it). Otherwise a session;
 * for requests that change something, proof that the browser sent it from this app (Origin check); the tenant the
 * console page was rendered for (`assertTenantBound`); and a role allowed to do `action` on the active tenant.
 */
export async function requireActor<A extends Action>(req: Request, action: A): Promise<RequestActor<A>> {
  const key = bearerToken(req);
  if (key !== null) return (await requireApiKey(req, key, action)) as RequestActor<A>;
  if (!isSafeMethod(req)) assertSameOrigin(req);
  const session = await resolveSession(req.headers);
  if (session.kind === "signed_out") throw unauthenticated();
  if (session.kind === "no_membership") throw forbidden("You do not have access to this tenant. Switch tenant or ask its admin.");
  await assertTenantBound(req, session.actor, changes(req, action));
  if (!allows(session.actor, action)) throw forbidden();
  return session.actor as RequestActor<A>;
}

const isSafeMethod = (req: Request) => req.method === "GET" || req.method === "HEAD";

/** Connect is a link, so a GET, and yet it changes something: it starts an authorization (and a connection's move). */
const CHANGES_ON_GET: ReadonlySet<Action> = new Set<Action>(["quickbooks.connect"]);

const changes = (req: Request, action: Action) => !isSafeMethod(req) || CHANGES_ON_GET.has(action);

/**
 * The tenant binding (contract, "Tenant binding"). A session request that names a tenant (`x-qbc-tenant`, or
 * `?tenant=` on a link) other than the session's active one gets 409 `tenant_mismatch`: a tab rendered for Acme
 * cannot act on Globex after the session moved there. A session request that changes something and names no tenant
 * gets 428 `tenant_required` (a precondition it must state, as If-Match is for an update): the console always sends
 * one, so refusing the rest closes the stale-tab hole for every client of the session, old tabs included (they are
 * told to reload), and leaves no way around the check by leaving the header out. Checked before the role: the role
 * the session has on the active tenant says nothing about the tenant the page was for.
 */
async function assertTenantBound(req: Request, actor: Actor, requestChanges: boolean): Promise<void> {
  const binding = tenantBinding(tenantClaimOf(req), actor.tenantId, requestChanges);
  if (binding.kind === "missing") throw new AppError("tenant_required", 428, TENANT_REQUIRED_MESSAGE);
  if (binding.kind === "mismatch") {
    // The page's tenant is named only to its members: an id the user does not belong to stays "another tenant".
    const page = await findMembership(actor.userId, binding.claimed);
    throw new AppError("tenant_mismatch", 409, tenantMismatchMessage(page?.tenantName ?? null, actor.tenantName));
  }
}

/**
 * The gate of the one request that may act for another tenant than the active one: the Reconnect page's button
 * (POST /api/quickbooks/reconnect), which switches the session to the tenant the page names, as the tenant switcher
 * does, before it starts the authorization. An API key is refused as everywhere (no scope grants a session-only
 * action: 401 or 403). A session needs the Origin check, the tenant named in `x-qbc-tenant` (428 without one), a
 * membership of it and a role allowed to do `action` there (403). Returns the actor on that tenant, and the session.
 */
export async function requireNamedTenantActor(
  req: Request,
  action: Exclude<Action, ApiKeyAction>,
): Promise<{ actor: Actor; session: Extract<SessionResolution, { kind: "actor" }> }> {
  const key = bearerToken(req);
  if (key !== null) {
    await requireApiKey(req, key, action);
    throw forbidden(); // requireApiKey has thrown already: no scope grants `action`
  }
  assertSameOrigin(req);
  const session = await resolveSession(req.headers);
  if (session.kind === "signed_out") throw unauthenticated();
  if (session.kind === "no_membership") throw forbidden("You do not have access to this tenant. Switch tenant or ask its admin.");
  const claim = tenantClaimOf(req);
  if (!claim) throw new AppError("tenant_required", 428, TENANT_REQUIRED_MESSAGE);
  const membership = await findMembership(session.actor.userId, claim);
  if (!membership) throw forbidden("You do not have access to that tenant. Ask its admin.");
  if (!allows({ role: membership.role, isPlatformOperator: session.actor.isPlatformOperator }, action)) throw forbidden();
  return { actor: { ...session.actor, ...membership }, session };
}

/** The presented API key, or null when the request carries none (any other Authorization scheme is not a key). */
function bearerToken(req: Request): string | null {
  const header = req.headers.get("authorization");
  const match = header ? /^Bearer(?:\s+(.*))?$/i.exec(header.trim()) : null;
  return match ? (match[1] ?? "").trim() : null;
}

/**
 * Uses of a sensitive scope (logs:export, verify:trigger) are written to the audit trail before the action runs.
 * status:read is not audited per use: it reveals the connection's state only, is polled by monitors, and the key's
 * last_used_at already tells when it was last used (the verify file it also reads records its own download).
 */
async function requireApiKey(req: Request, key: string, action: Action): Promise<ApiKeyPrincipal> {
  const principal = await authenticateApiKey(key);
  const scope = scopeGranting(principal.scopes, action);
  if (!scope) throw new AppError("insufficient_scope", 403, "This API key's scopes do not allow this action.");
  if (SENSITIVE_SCOPES.has(scope)) {
    await recordAudit(db(), {
      tenantId: principal.tenantId,
      actorUserId: null,
      actorApiKeyId: principal.apiKeyId,
      action: "api_key.used",
      target: `api_key:${principal.prefix}`,
      outcome: "success",
      details: { scope, action, method: req.method, path: new URL(req.url).pathname },
      meta: requestMetaFrom(req),
    });
  }
  return principal;
}

/** The actor ids for an audit row, whoever acted. */
export function auditActorOf(actor: Actor | ApiKeyPrincipal): { actorUserId: string | null; actorApiKeyId: string | null } {
  return "apiKeyId" in actor ? { actorUserId: null, actorApiKeyId: actor.apiKeyId } : { actorUserId: actor.userId, actorApiKeyId: null };
}

export function assertSameOrigin(req: Request): void {
  const origin = req.headers.get("origin");
  const allowed = new Set([new URL(env().appUrl).origin, new URL(req.url).origin]);
  if (!origin || !allowed.has(origin)) {
    throw new AppError("cross_origin_request", 403, "This request must come from the QuickBooks Connect console.");
  }
}

/**
 * The page's gate: the actor when allowed; otherwise a redirect to sign in, or a 403 rendered by app/forbidden.tsx.
 */
export async function requirePageActor(action: Action): Promise<Actor> {
  const access = await pageAccess(action);
  if (access.kind === "signed_out") redirect("/login");
  if (access.kind === "forbidden") forbiddenPage();
  return access.actor;
}

export type PageAccess = { kind: "allowed"; actor: Actor } | { kind: "forbidden"; actor: Actor } | { kind: "signed_out" };

/** The same decision for a page: pages render a clear "not allowed" panel instead of a JSON error. */
export async function pageAccess(action: Action): Promise<PageAccess> {
  const actor = await currentActor();
  if (!actor) return { kind: "signed_out" };
  return allows(actor, action) ? { kind: "allowed", actor } : { kind: "forbidden", actor };
}
