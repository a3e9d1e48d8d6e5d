import { and, eq } from "drizzle-orm";
import { DEMO_TENANT_SLUGS, demoLedgerFor } from "./demo-chart";
import type { Database } from "./client";
import { ledgerAccounts, memberships, tenants, users, type Role } from "./schema";

/** The contract's demo data. Also the fixtures of the integration and browser tests. */
export const DEMO_TENANTS = [
  { slug: "acme", name: "Acme Field Services" },
  { slug: "globex", name: "Globex Logistics" },
] as const;

export const DEMO_USERS: ReadonlyArray<{ email: string; name: string; platformOperator?: boolean; memberships: ReadonlyArray<{ tenant: string; role: Role }> }> = [
  // Admin of both tenants: the tenant switcher and the all-tenants views have someone to serve.
  {
    email: "admin@acme.test",
    name: "Ada Admin",
    memberships: [
      { tenant: "acme", role: "admin" },
      { tenant: "globex", role: "admin" },
    ],
  },
  { email: "accountant@acme.test", name: "Alex Accountant", memberships: [{ tenant: "acme", role: "accountant" }] },
  { email: "auditor@acme.test", name: "Avery Auditor", memberships: [{ tenant: "acme", role: "auditor" }] },
  { email: "accountant@globex.test", name: "Gale Accountant", memberships: [{ tenant: "globex", role: "accountant" }] },
  // The platform operator (a flag on the person, not a tenant role): sets the platform Intuit app's plan and sees every
  // tenant's usage. In the demo also an admin of both tenants, so the console has a tenant to show.
  {
    email: "operator@awra.test",
    name: "Otto Operator",
    platformOperator: true,
    memberships: [
      { tenant: "acme", role: "admin" },
      { tenant: "globex", role: "admin" },
    ],
  },
];

/** Development's default demo password; production seeds require SEED_PASSWORD. */
export const DEV_SEED_PASSWORD = "connect-demo-2026";

export interface SeedDemoDataOptions {
  password: string;
  /**
   * How passwords are stored: lib/auth/password.ts's hashPassword, passed in by the caller so that db/ depends on
   * nothing of lib/ but its configuration (.dependency-cruiser.cjs).
   */
  hashPassword: (password: string) => Promise<string>;
  now?: Date;
}

/**
 * Creates the demo tenants, users and AWRA ledgers (the demo chart, db/demo-chart.ts, as of the seed day;
 * Acme's with its deliberate differences from QuickBooks). No mappings: users map the accounts themselves.
 * Safe to run again: existing rows are left as they are.
 */
export async function seedDemoData(db: Database, options: SeedDemoDataOptions): Promise<void> {
  const passwordHash = await options.hashPassword(options.password);
  await db.transaction(async (tx) => {
    await tx.insert(tenants).values([...DEMO_TENANTS]).onConflictDoNothing({ target: tenants.slug });
    const tenantRows = await tx.select().from(tenants);
    const tenantIdBySlug = new Map(tenantRows.map((t) => [t.slug, t.id]));

    for (const demo of DEMO_USERS) {
      await tx
        .insert(users)
        .values({ email: demo.email, name: demo.name, passwordHash, isPlatformOperator: demo.platformOperator ?? false })
        .onConflictDoNothing({ target: users.email });
      const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.email, demo.email));
      if (!user) throw new Error(`Seeding failed to create ${demo.email}`);
      for (const m of demo.memberships) {
        const tenantId = tenantIdBySlug.get(m.tenant);
        if (!tenantId) throw new Error(`Seeding failed: no tenant ${m.tenant}`);
        const existing = await tx
          .select()
          .from(memberships)
          .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, user.id)));
        if (existing.length === 0) await tx.insert(memberships).values({ tenantId, userId: user.id, role: m.role });
      }
    }

    // The demo ledger is stated as of the seed month's last day, the period a reconciliation closes by default (one
    // stated at any other day is refused for its month: lib/ledger/create-reconciliation.ts).
    const asOf = monthEndOf(options.now ?? new Date());
    for (const slug of DEMO_TENANT_SLUGS) {
      const tenantId = tenantIdBySlug.get(slug);
      if (!tenantId) throw new Error(`Seeding failed: no tenant ${slug}`);
      await tx
        .insert(ledgerAccounts)
        .values(demoLedgerFor(slug).map((account) => ({ tenantId, ...account, asOf, source: "seed" })))
        .onConflictDoNothing({ target: [ledgerAccounts.tenantId, ledgerAccounts.code] });
    }
  });
}

/** The last day of the date's month (UTC), "YYYY-MM-DD". */
export function monthEndOf(date: Date): string {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
}

export async function isDatabaseEmpty(db: Database): Promise<boolean> {
  const rows = await db.select({ id: tenants.id }).from(tenants).limit(1);
  return rows.length === 0;
}

export function seedPassword(isProduction: boolean): string {
  const fromEnv = process.env.SEED_PASSWORD?.trim();
  if (fromEnv) return fromEnv;
  if (isProduction) throw new Error("SEED_PASSWORD is required to seed demo users in production.");
  return DEV_SEED_PASSWORD;
}
