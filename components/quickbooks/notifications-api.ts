import { apiFetch } from "@/components/api-client";
import type { EndpointView, DeliveryLogRow } from "@/lib/notifications/endpoints";
import type { EventType } from "@/lib/notifications/events";
import type { InboxItem } from "@/lib/notifications/inbox";
import type { EmailPreference } from "@/lib/notifications/preferences";
import type { Serialized } from "./ledger-api";

// Browser-side calls to the notification routes, for the tenant the page was rendered for, and their JSON shapes.

export type InboxView = Serialized<{ items: InboxItem[]; unread: number }>;
export type EndpointItem = Serialized<EndpointView>;
export type DeliveryLogItem = Serialized<DeliveryLogRow>;

export const notificationKeys = {
  inbox: (tenantId: string) => ["notifications", tenantId, "inbox"] as const,
  endpoints: (tenantId: string) => ["notifications", tenantId, "endpoints"] as const,
  deliveries: (tenantId: string, endpointId: string) => ["notifications", tenantId, "deliveries", endpointId] as const,
};

export const fetchInbox = (tenantId: string) => apiFetch<InboxView>("/api/quickbooks/notifications", { tenantId });
export const postRead = (tenantId: string, body: { ids: number[] } | { all: true }) => apiFetch<{ unread: number }>("/api/quickbooks/notifications/read", { method: "POST", body, tenantId });
export const putPreference = (tenantId: string, eventType: EventType, email: boolean) =>
  apiFetch<{ preferences: EmailPreference[] }>("/api/quickbooks/notifications/preferences", { method: "PUT", body: { eventType, email }, tenantId });

export const fetchEndpoints = (tenantId: string) => apiFetch<{ endpoints: EndpointItem[] }>("/api/quickbooks/notifications/endpoints", { tenantId });
export const postEndpoint = (tenantId: string, body: { url: string; description?: string; eventTypes: EventType[] }) =>
  apiFetch<{ endpoint: EndpointItem; secret: string }>("/api/quickbooks/notifications/endpoints", { method: "POST", body, tenantId });
export const patchEndpoint = (tenantId: string, id: string, body: { enabled?: boolean }) =>
  apiFetch<{ endpoint: EndpointItem }>(`/api/quickbooks/notifications/endpoints/${encodeURIComponent(id)}`, { method: "PATCH", body, tenantId });
export const deleteEndpoint = (tenantId: string, id: string) => apiFetch<{ deleted: true }>(`/api/quickbooks/notifications/endpoints/${encodeURIComponent(id)}`, { method: "DELETE", tenantId });
export const postRotate = (tenantId: string, id: string) =>
  apiFetch<{ endpoint: EndpointItem; secret: string }>(`/api/quickbooks/notifications/endpoints/${encodeURIComponent(id)}/rotate`, { method: "POST", tenantId });
export const postTest = (tenantId: string, id: string) => apiFetch<{ deliveryId: number }>(`/api/quickbooks/notifications/endpoints/${encodeURIComponent(id)}/test`, { method: "POST", tenantId });
export const fetchDeliveries = (tenantId: string, id: string) =>
  apiFetch<{ deliveries: DeliveryLogItem[] }>(`/api/quickbooks/notifications/endpoints/${encodeURIComponent(id)}/deliveries`, { tenantId });
