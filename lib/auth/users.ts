import "server-only";
import { and, asc, eq } from "drizzle-orm";
import type { Executor } from "@/db";
import { memberships, tenants, users, type Role } from "@/db/schema";

export interface Membership {
  tenantId: string;
  tenantName: string;
  role: Role;
}

export async function findUserByEmail(executor: Executor, email: string) {
  const [user] = await executor.select().from(users).where(eq(users.email, email.trim().toLowerCase()));
  return user ?? null;
}

export async function listMemberships(executor: Executor, userId: string): Promise<Membership[]> {
  return executor
    .select({ tenantId: memberships.tenantId, tenantName: tenants.name, role: memberships.role })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(tenants.name));
}

/** The shape PostgreSQL reads as a uuid: anything else cannot be an id of ours, and must not reach a uuid column. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The user's membership of the tenant, or null. The ids come from a session token or a form, so they are checked
 * first: a value that is not a uuid finds no membership (it would make PostgreSQL's uuid cast fail, a 500).
 */
export async function findMembership(executor: Executor, userId: string, tenantId: string): Promise<Membership | null> {
  if (!UUID.test(userId) || !UUID.test(tenantId)) return null;
  const [row] = await executor
    .select({ tenantId: memberships.tenantId, tenantName: tenants.name, role: memberships.role })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(and(eq(memberships.userId, userId), eq(memberships.tenantId, tenantId)));
  return row ?? null;
}
