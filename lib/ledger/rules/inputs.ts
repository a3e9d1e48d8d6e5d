import { z } from "zod";
import { ACCOUNTING_METHODS } from "@/lib/intuit/trial-balance";

// What the mapping, sync and reconciliation routes accept in their bodies and query strings (their path ids are read
// by lib/http/path-id.ts).

/** The QuickBooks company to work with; the tenant's chosen environment when left out. */
const environment = z.enum(["sandbox", "production"]).optional();

export const environmentInput = z.object({ environment }).strict();

export const mappingInput = z
  .object({
    qboAccountId: z.string().trim().min(1).max(64).nullable(),
    allowShared: z.boolean().optional(),
  })
  .strict();

export const chartSearchInput = z.object({
  q: z.string().max(100).optional(),
  afterName: z.string().max(300).optional(),
  afterId: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  environment,
});

export const reconciliationInput = z
  .object({
    environment,
    period: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "period must look like 2026-11")
      .optional(),
  })
  .strict();

export const explanationInput = z.object({ explanation: z.string().max(500) }).strict();

/** The production accounts an accountant confirms, for the production company resolved against. */
export const productionConfirmationInput = z
  .object({
    realmId: z.string().trim().regex(/^\d{1,32}$/, "realmId must be a QuickBooks company id"),
    choices: z
      .array(z.object({ ledgerAccountId: z.uuid(), qboAccountId: z.string().trim().min(1).max(64) }).strict())
      .min(1)
      .max(10_000)
      .refine((choices) => new Set(choices.map((c) => c.ledgerAccountId)).size === choices.length, "each AWRA account may be confirmed once"),
  })
  .strict();

/** The basis the tenant's reconciliations read QuickBooks' Trial Balance on. */
export const accountingMethodInput = z.object({ accountingMethod: z.enum(ACCOUNTING_METHODS) }).strict();
