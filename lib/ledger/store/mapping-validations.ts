import "server-only";
import { and, desc, eq } from "drizzle-orm";
import { db } from "@/db";
import { mappingValidations } from "@/db/schema";
import type { IntuitEnvironment } from "@/lib/env";
import { mappingsInCompany } from "../rules/resolve-in-production";
import { mappingFingerprint, type MappingValidation } from "../rules/validate-mappings";
import { readMappingSet } from "./mapping-set";

// mapping_validations: each check of the mapping set against a connection's live chart. The latest one in the sandbox
// decides whether a production sync may run (the sandbox-first rule), and only while it still describes the set.

export interface ValidationRecord extends MappingValidation {
  id: number;
  environment: IntuitEnvironment;
  realmId: string;
  fingerprint: string;
  createdAt: Date;
}

/** The latest validation in an environment, and whether it still describes the current mapping set. */
export async function latestValidation(tenantId: string, environment: IntuitEnvironment): Promise<(ValidationRecord & { current: boolean }) | null> {
  const [row] = await db()
    .select()
    .from(mappingValidations)
    .where(and(eq(mappingValidations.tenantId, tenantId), eq(mappingValidations.environment, environment)))
    .orderBy(desc(mappingValidations.createdAt), desc(mappingValidations.id))
    .limit(1);
  if (!row) return null;
  const current = mappingFingerprint(mappingsInCompany(await readMappingSet(tenantId), environment, row.realmId)) === row.fingerprint;
  return {
    id: row.id,
    environment: row.environment,
    realmId: row.realmId,
    fingerprint: row.fingerprint,
    passed: row.passed,
    checked: row.checked,
    mapped: row.mapped,
    issues: row.issues as MappingValidation["issues"],
    createdAt: row.createdAt,
    current,
  };
}
