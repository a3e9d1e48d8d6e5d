// The load of the webhook benchmark: signed legacy `eventNotifications` deliveries, a share of them byte-identical
// repeats of earlier ones, and the event keys the app must end up storing (derived by the app's own parser).
import { readWebhookPayload } from "@/lib/intuit/webhook-payload";
import { signWebhookBody } from "@/lib/intuit/webhook-signature";
import { seededRandom } from "../scripts/seeded-random";

export interface Delivery {
  body: string;
  signature: string;
}

export interface DeliverySet {
  deliveries: Delivery[];
  /** The event keys of each delivery, in order (a repeat has its original's keys). */
  keysOf: string[][];
  /** Every distinct event key sent. */
  distinctKeys: Set<string>;
  distinctDeliveries: number;
  duplicates: number;
  averageBodyBytes: number;
}

export interface DeliveryOptions {
  count: number;
  duplicateRatio: number;
  entitiesPerDelivery: number;
  realmId: string;
  verifierToken: string;
  seed: number;
  /** Events happened shortly before this time (their delay is recorded by the app). */
  now: Date;
  /** Distinguishes the entity ids of separate sets (the warm-up's from the measured run's). */
  idPrefix: string;
}

const ENTITIES = ["Invoice", "Customer", "Payment", "Bill", "Vendor", "Item", "Estimate", "SalesReceipt", "Purchase", "JournalEntry"];
const OPERATIONS = ["Create", "Update", "Update", "Update", "Delete", "Merge", "Void", "Emailed"];

export function generateDeliveries(options: DeliveryOptions): DeliverySet {
  const rand = seededRandom(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const duplicates = Math.round(options.count * options.duplicateRatio);

  // Which positions carry a repeat: a random subset of 1..count-1 (position 0 has nothing to repeat).
  const positions = Array.from({ length: Math.max(0, options.count - 1) }, (_, i) => i + 1);
  for (let i = 0; i < duplicates; i++) {
    const j = i + Math.floor(rand() * (positions.length - i));
    [positions[i], positions[j]] = [positions[j]!, positions[i]!];
  }
  const repeatAt = new Set(positions.slice(0, duplicates));

  const deliveries: Delivery[] = [];
  const keysOf: string[][] = [];
  const originals: number[] = [];
  const distinctKeys = new Set<string>();
  let nextId = 1;
  let bytes = 0;
  for (let i = 0; i < options.count; i++) {
    if (repeatAt.has(i)) {
      // Half the repeats follow their original closely (likely in flight at the same time, as Intuit's retries of
      // a slow answer are), half repeat any earlier delivery.
      const recent = rand() < 0.5;
      const from = recent ? Math.max(0, originals.length - 100) : 0;
      const source = originals[from + Math.floor(rand() * (originals.length - from))]!;
      deliveries.push(deliveries[source]!);
      keysOf.push(keysOf[source]!);
      bytes += Buffer.byteLength(deliveries[source]!.body);
      continue;
    }
    const entities = Array.from({ length: options.entitiesPerDelivery }, () => {
      const operation = pick(OPERATIONS);
      const id = `${options.idPrefix}${nextId++}`;
      const lastUpdated = new Date(options.now.getTime() - Math.floor(rand() * 120_000)).toISOString();
      return operation === "Merge" ? { name: pick(ENTITIES), id, operation, lastUpdated, deletedId: `${id}9` } : { name: pick(ENTITIES), id, operation, lastUpdated };
    });
    const body = JSON.stringify({ eventNotifications: [{ realmId: options.realmId, dataChangeEvent: { entities } }] });
    const keys = readWebhookPayload(JSON.parse(body)).events.map((e) => e.key);
    for (const key of keys) {
      if (distinctKeys.has(key)) throw new Error(`generated the same event twice: ${key}`);
      distinctKeys.add(key);
    }
    originals.push(i);
    deliveries.push({ body, signature: signWebhookBody(body, options.verifierToken) });
    keysOf.push(keys);
    bytes += Buffer.byteLength(body);
  }
  return {
    deliveries,
    keysOf,
    distinctKeys,
    distinctDeliveries: originals.length,
    duplicates: options.count - originals.length,
    averageBodyBytes: options.count ? Math.round(bytes / options.count) : 0,
  };
}
