// Each realm's change log: what happened to which QuickBooks object, and when. Change data capture (cdc.ts) answers
// from it, and webhooks sent through the control endpoint record into it, so the two always agree. It accepts only
// the entities CDC knows, which is why the entity list lives here rather than beside the CDC endpoint.

/** What happened to a QuickBooks object, in the words of Intuit's webhooks. */
export const CHANGE_OPERATIONS = ["Create", "Update", "Delete", "Merge", "Void", "Emailed"] as const;
export type ChangeOperation = (typeof CHANGE_OPERATIONS)[number];

/** One entry of a realm's change log. */
export interface EmulatorChange {
  /** Canonical entity name, e.g. "Customer". */
  entity: string;
  id: string;
  operation: ChangeOperation;
  /** Epoch milliseconds. */
  at: number;
}

export interface ChangeInput {
  /** Any case: "customer" is stored as "Customer". Must be an entity CDC supports. */
  entity: string;
  id: string;
  /** Any case: "update" is stored as "Update". */
  operation: string;
  /** Default: the emulator's clock. */
  at?: Date | number;
}

/** Entities the emulator accepts in `entities` (Intuit's accounting entities that CDC supports). */
export const CDC_ENTITIES: readonly string[] = [
  "Account",
  "Attachable",
  "Bill",
  "BillPayment",
  "Budget",
  "Class",
  "CreditMemo",
  "Customer",
  "Department",
  "Deposit",
  "Employee",
  "Estimate",
  "Invoice",
  "Item",
  "JournalEntry",
  "Payment",
  "PaymentMethod",
  "Purchase",
  "PurchaseOrder",
  "RefundReceipt",
  "SalesReceipt",
  "Term",
  "Transfer",
  "Vendor",
  "VendorCredit",
];

export function canonicalCdcEntity(name: string): string | undefined {
  return CDC_ENTITIES.find((entity) => entity.toLowerCase() === name.trim().toLowerCase());
}

export function createChangeLog(now: () => number) {
  const changeLog = new Map<string, EmulatorChange[]>();

  return {
    /** Records a change to one object of the realm; throws for an entity CDC does not know or an unknown operation. */
    recordChange(realmId: string, input: ChangeInput): EmulatorChange {
      const entity = canonicalCdcEntity(input.entity);
      if (!entity) throw new Error(`Unknown or unsupported entity for change data capture: ${input.entity}`);
      const operation = CHANGE_OPERATIONS.find((op) => op.toLowerCase() === input.operation.toLowerCase());
      if (!operation) throw new Error(`Unknown operation: ${input.operation}`);
      const at = input.at === undefined ? now() : typeof input.at === "number" ? input.at : input.at.getTime();
      const change: EmulatorChange = { entity, id: input.id, operation, at };
      const log = changeLog.get(realmId) ?? [];
      log.push(change);
      changeLog.set(realmId, log);
      return change;
    },
    changes(realmId: string): readonly EmulatorChange[] {
      return [...(changeLog.get(realmId) ?? [])];
    },
    reset(): void {
      changeLog.clear();
    },
  };
}
