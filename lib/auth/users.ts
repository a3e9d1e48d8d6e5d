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

export async function findMembership(executor: Executor, userId: string, tenantId: string): Promise<Membership | null> {
  const [row] = await executor
    .select({ tenantId: memberships.tenantId, tenantName: tenants.name, role: memberships.role })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(and(eq(memberships.userId, userId), eq(memberships.tenantId, tenantId)));
  return row ?? null;
}
