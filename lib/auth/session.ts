import "server-only";
import { headers as nextHeaders } from "next/headers";
import { cache } from "react";
import { decode, getToken, type JWT } from "next-auth/jwt";
import type { Role } from "@/db/schema";
import { env } from "@/lib/env";
import { asDatabaseUnavailable } from "@/lib/errors";
import { SessionTokenCache } from "./session-token-cache";
import { findActorMembership } from "./users";

/** The signed-in person acting on their active tenant, with the role read fresh from the database. */
export interface Actor {
  userId: string;
  email: string;
  name: string;
  tenantId: string;
  tenantName: string;
  role: Role;
  /** The platform operator (users.is_platform_operator): sees every Intuit app's usage and sets the platform app's plan. */
  isPlatformOperator: boolean;
}

export function sessionCookieName(): string {
  return env().appUrl.startsWith("https://") ? "__Secure-authjs.session-token" : "authjs.session-token";
}

export type SessionResolution =
  | { kind: "signed_out" }
  /** A valid session whose active tenant the user no longer (or never) belonged to. */
  | { kind: "no_membership"; userId: string }
  | { kind: "actor"; actor: Actor };

// One cache per secret and cookie name: a token is only ever served to the configuration that decoded it.
let tokenCache: { secret: string; cookieName: string; cache: SessionTokenCache } | undefined;

/** The session cookie's claims, or null: Auth.js reads the cookie (chunks included), decoding goes through the cache. */
async function sessionToken(headers: Headers): Promise<JWT | null> {
  const cookieName = sessionCookieName();
  const secret = env().authSecret;
  const params = {
    req: { headers },
    secret,
    cookieName,
    salt: cookieName,
    secureCookie: cookieName.startsWith("__Secure-"),
    logger: { error: () => {}, warn: () => {}, debug: () => {} } as unknown as Console,
  };
  const raw = await getToken({ ...params, raw: true });
  if (!raw) return null;
  if (tokenCache?.secret !== secret || tokenCache.cookieName !== cookieName) tokenCache = { secret, cookieName, cache: new SessionTokenCache() };
  return tokenCache.cache.get(raw, async (value) => {
    try {
      return await decode({ token: value, secret, salt: cookieName });
    } catch {
      return null; // tampered, expired or for another secret: signed out, as getToken would say
    }
  });
}

/** Reads the session from a request's cookie. Works inside Next.js and in tests that call handlers directly. */
export async function resolveSession(headers: Headers): Promise<SessionResolution> {
  const token = await sessionToken(headers);
  if (!token || typeof token.userId !== "string") return { kind: "signed_out" };
  // Every page and route reads the session first, so this is where a database outage is first met: tagged here, a
  // page's error boundary can say "try again" instead of "something broke" (Next passes only the digest to it).
  const membership =
    typeof token.tenantId === "string"
      ? await findActorMembership(token.userId, token.tenantId).catch((error: unknown) => {
          throw asDatabaseUnavailable(error);
        })
      : null;
  if (!membership) return { kind: "no_membership", userId: token.userId };
  const actor: Actor = {
    userId: token.userId,
    email: typeof token.email === "string" ? token.email : "",
    name: typeof token.name === "string" ? token.name : "",
    tenantId: membership.tenantId,
    tenantName: membership.tenantName,
    role: membership.role,
    isPlatformOperator: membership.isPlatformOperator,
  };
  return { kind: "actor", actor };
}

/** The actor of a request, or null when there is none (signed out, or no access to the session's tenant). */
export async function actorFromHeaders(headers: Headers): Promise<Actor | null> {
  const session = await resolveSession(headers);
  return session.kind === "actor" ? session.actor : null;
}

/**
 * The actor for a server component or server action. Read once per page render (React's `cache` is scoped to one
 * request): the layout, the page and its sections each ask, and each would otherwise read the membership again.
 */
export const currentActor = cache(async (): Promise<Actor | null> => actorFromHeaders(new Headers(await nextHeaders())));
