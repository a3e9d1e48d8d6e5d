import "server-only";
import { headers as nextHeaders } from "next/headers";
import { getToken } from "next-auth/jwt";
import { db } from "@/db";
import type { Role } from "@/db/schema";
import { env } from "@/lib/env";
import { findMembership } from "./users";

/** The signed-in person acting on their active tenant, with the role read fresh from the database. */
export interface Actor {
  userId: string;
  email: string;
  name: string;
  tenantId: string;
  tenantName: string;
  role: Role;
}

export function sessionCookieName(): string {
  return env().appUrl.startsWith("https://") ? "__Secure-authjs.session-token" : "authjs.session-token";
}

export type SessionResolution =
  | { kind: "signed_out" }
  /** A valid session whose active tenant the user no longer (or never) belonged to. */
  | { kind: "no_membership"; userId: string }
  | { kind: "actor"; actor: Actor };

/** Reads the session from a request's cookie. Works inside Next.js and in tests that call handlers directly. */
export async function resolveSession(headers: Headers): Promise<SessionResolution> {
  const cookieName = sessionCookieName();
  const token = await getToken({
    req: { headers },
    secret: env().authSecret,
    cookieName,
    salt: cookieName,
    secureCookie: cookieName.startsWith("__Secure-"),
    logger: { error: () => {}, warn: () => {}, debug: () => {} } as unknown as Console,
  });
  if (!token || typeof token.userId !== "string") return { kind: "signed_out" };
  const membership = typeof token.tenantId === "string" ? await findMembership(db(), token.userId, token.tenantId) : null;
  if (!membership) return { kind: "no_membership", userId: token.userId };
  const actor: Actor = {
    userId: token.userId,
    email: typeof token.email === "string" ? token.email : "",
    name: typeof token.name === "string" ? token.name : "",
    tenantId: membership.tenantId,
    tenantName: membership.tenantName,
    role: membership.role,
  };
  return { kind: "actor", actor };
}

/** The actor of a request, or null when there is none (signed out, or no access to the session's tenant). */
export async function actorFromHeaders(headers: Headers): Promise<Actor | null> {
  const session = await resolveSession(headers);
  return session.kind === "actor" ? session.actor : null;
}

/** The actor for a server component or server action. */
export async function currentActor(): Promise<Actor | null> {
  return actorFromHeaders(new Headers(await nextHeaders()));
}
