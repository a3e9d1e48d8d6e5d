import "server-only";
import { forbidden as forbiddenPage, redirect } from "next/navigation";
import { AppError, forbidden, unauthenticated } from "@/lib/errors";
import { env } from "@/lib/env";
import { can, type Action } from "./permissions";
import { currentActor, resolveSession, type Actor } from "./session";

/**
 * The one gate in front of every route handler: a session, a role allowed to do `action` on the active tenant,
 * and, for requests that change something, proof that the browser sent it from this app (Origin check).
 */
export async function requireActor(req: Request, action: Action): Promise<Actor> {
  if (req.method !== "GET" && req.method !== "HEAD") assertSameOrigin(req);
  const session = await resolveSession(req.headers);
  if (session.kind === "signed_out") throw unauthenticated();
  if (session.kind === "no_membership") throw forbidden("You do not have access to this tenant. Switch tenant or ask its admin.");
  if (!can(session.actor.role, action)) throw forbidden();
  return session.actor;
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
  return can(actor.role, action) ? { kind: "allowed", actor } : { kind: "forbidden", actor };
}
