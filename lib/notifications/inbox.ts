import "server-only";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { db } from "@/db";
import { notificationEvents, notificationReads } from "@/db/schema";
import type { Role } from "@/db/schema";
import { can } from "@/lib/auth/permissions";
import { EVENT_TYPES, describeEvent, isEventType, type EventData, type EventType } from "./events";

// The console's inbox: the active tenant's events, newest first, each with what to do and whether the reader can do
// it, unread until the reader marks it read. The outbox is the inbox's source: one row, seen by every member.

/** How far back the inbox and its unread count look. */
export const INBOX_DAYS = 90;
const INBOX_LIMIT = 50;

export interface InboxItem {
  id: number;
  type: EventType;
  title: string;
  body: string;
  action: { label: string; path: string };
  /** The reader's role can do what the event asks (others see it, without the button). */
  canAct: boolean;
  occurredAt: Date;
  read: boolean;
}

const recent = () => sql`${notificationEvents.occurredAt} > now() - make_interval(days => ${INBOX_DAYS})`;
const listed = () => inArray(notificationEvents.type, EVENT_TYPES);

/** The reader's inbox for a tenant, and how many of its events they have not read. */
export async function listInbox(input: { tenantId: string; userId: string; role: Role }): Promise<{ items: InboxItem[]; unread: number }> {
  const [rows, unread] = await Promise.all([
    db()
      .select({ id: notificationEvents.id, type: notificationEvents.type, data: notificationEvents.data, occurredAt: notificationEvents.occurredAt, readAt: notificationReads.readAt })
      .from(notificationEvents)
      .leftJoin(notificationReads, and(eq(notificationReads.eventId, notificationEvents.id), eq(notificationReads.userId, input.userId)))
      .where(and(eq(notificationEvents.tenantId, input.tenantId), listed(), recent()))
      .orderBy(desc(notificationEvents.id))
      .limit(INBOX_LIMIT),
    unreadCount(input.tenantId, input.userId),
  ]);
  const items = rows.flatMap((row): InboxItem[] => {
    if (!isEventType(row.type)) return [];
    const described = describeEvent(row.type, row.data as EventData[EventType]);
    return [{ id: row.id, type: row.type, title: described.title, body: described.body, action: described.action, canAct: can(input.role, described.permission), occurredAt: row.occurredAt, read: row.readAt !== null }];
  });
  return { items, unread };
}

/** The header's count: the tenant's recent events the reader has not marked read. */
export async function unreadCount(tenantId: string, userId: string): Promise<number> {
  const [row] = await db()
    .select({ count: sql<number>`count(*)::int` })
    .from(notificationEvents)
    .where(
      and(
        eq(notificationEvents.tenantId, tenantId),
        listed(),
        recent(),
        sql`not exists (select 1 from ${notificationReads} r where r.event_id = ${notificationEvents.id} and r.user_id = ${userId})`,
      ),
    );
  return row?.count ?? 0;
}

/** Marks the given events of the tenant read for the reader (all of its recent ones when `ids` is "all"). */
export async function markRead(input: { tenantId: string; userId: string; ids: readonly number[] | "all" }): Promise<{ unread: number }> {
  const chosen = input.ids === "all" ? sql`true` : inArray(notificationEvents.id, [...input.ids]);
  await db().execute(sql`
    insert into ${notificationReads} (user_id, event_id)
    select ${input.userId}::uuid, ${notificationEvents.id} from ${notificationEvents}
    where ${notificationEvents.tenantId} = ${input.tenantId} and ${recent()} and ${chosen}
    on conflict do nothing`);
  return { unread: await unreadCount(input.tenantId, input.userId) };
}
