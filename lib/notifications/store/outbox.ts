import "server-only";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Executor } from "@/db";
import { notificationEvents } from "@/db/schema";
import { EVENT_VERSION, type EventData, type EventType } from "../events";

// The outbox: an event is written by the transaction that makes the change it reports, so nothing is sent for a change
// that rolled back and nothing is lost for one that committed; the notification sender fans it out afterwards.

export interface EmitInput<T extends EventType> {
  tenantId: string;
  type: T;
  data: EventData[T];
  /** A state reported once (one expiry warning per connection and threshold): a second emit of it is dropped. */
  dedupeKey?: string;
  at?: Date;
}

/** Writes an event in `tx`; returns its id, or null when its dedupe key was already emitted. */
export async function emitEvent<T extends EventType>(tx: Executor, input: EmitInput<T>): Promise<number | null> {
  const [row] = await tx
    .insert(notificationEvents)
    .values({ tenantId: input.tenantId, type: input.type, version: EVENT_VERSION, dedupeKey: input.dedupeKey ?? null, data: input.data, occurredAt: input.at ?? new Date() })
    .onConflictDoNothing({ target: [notificationEvents.tenantId, notificationEvents.type, notificationEvents.dedupeKey], where: sql`${notificationEvents.dedupeKey} is not null` })
    .returning({ id: notificationEvents.id });
  return row?.id ?? null;
}

const CONNECTION_STATE_EVENTS = ["connection.connected", "connection.reauthorization_required", "connection.disconnected", "connection.recovered"] as const;

/** The last connection state event of a tenant's connection in an environment: what a new state is a change from. */
export async function lastConnectionEvent(tx: Executor, tenantId: string, environment: "sandbox" | "production"): Promise<EventType | null> {
  const [row] = await tx
    .select({ type: notificationEvents.type })
    .from(notificationEvents)
    .where(and(eq(notificationEvents.tenantId, tenantId), inArray(notificationEvents.type, [...CONNECTION_STATE_EVENTS]), sql`${notificationEvents.data}->>'environment' = ${environment}`))
    .orderBy(desc(notificationEvents.id))
    .limit(1);
  return (row?.type as EventType | undefined) ?? null;
}
