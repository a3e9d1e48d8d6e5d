import "server-only";
import { asc, eq, sql } from "drizzle-orm";
import { preparedStatement } from "@/db/prepared";
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
 * The user's membership of the tenant, or null. Every page and route reads it (the role is always read fresh), so it
 * runs as a prepared statement. The ids come from a session token or a form, so they are checked first: a value
 * that is not a uuid finds no membership (it would make PostgreSQL's uuid cast fail, a 500).
 */
export async function findMembership(userId: string, tenantId: string): Promise<Membership | null> {
  const row = await findActorMembership(userId, tenantId);
  return row ? { tenantId: row.tenantId, tenantName: row.tenantName, role: row.role } : null;
}

/** The membership and what the person is beyond it (the platform operator's flag): what a session's actor is made of. */
export async function findActorMembership(userId: string, tenantId: string): Promise<(Membership & { isPlatformOperator: boolean }) | null> {
  if (!UUID.test(userId) || !UUID.test(tenantId)) return null;
  const [row] = await membershipOf({ userId, tenantId });
  return row ?? null;
}

const membershipOf = preparedStatement<Membership & { isPlatformOperator: boolean }, "userId" | "tenantId">(
  (p) => sql`
    select m.tenant_id as "tenantId", t.name as "tenantName", m.role, u.is_platform_operator as "isPlatformOperator"
    from memberships m join tenants t on t.id = m.tenant_id join users u on u.id = m.user_id
    where m.user_id = ${p.userId}::uuid and m.tenant_id = ${p.tenantId}::uuid`,
);
