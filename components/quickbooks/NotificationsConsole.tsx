"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { secondaryButton } from "@/components/ui/button";
import { LocalTime } from "@/components/ui/LocalTime";
import { Table, TableBody, TableHead } from "@/components/ui/Table";
import type { EventType } from "@/lib/notifications/events";
import type { EmailPreference } from "@/lib/notifications/preferences";
import {
  deleteEndpoint,
  fetchDeliveries,
  fetchEndpoints,
  fetchInbox,
  notificationKeys,
  patchEndpoint,
  postEndpoint,
  postRead,
  postRotate,
  postTest,
  putPreference,
  type EndpointItem,
  type InboxView,
} from "./notifications-api";

/**
 * The notifications page: the tenant's inbox (each event with its action, mark as read), the member's email
 * preferences, and for admins the outbound webhook endpoints with their delivery logs.
 */
export function NotificationsConsole({
  tenantId,
  initialInbox,
  initialPreferences,
  emailConfigured,
  initialEndpoints,
}: {
  tenantId: string;
  initialInbox: InboxView;
  initialPreferences: EmailPreference[];
  emailConfigured: boolean;
  /** null: the member's role does not manage endpoints. */
  initialEndpoints: EndpointItem[] | null;
}) {
  return (
    <div className="space-y-8">
      <Inbox tenantId={tenantId} initial={initialInbox} />
      <EmailPreferences tenantId={tenantId} initial={initialPreferences} emailConfigured={emailConfigured} />
      {initialEndpoints && <Endpoints tenantId={tenantId} initial={initialEndpoints} types={initialPreferences.map((p) => ({ type: p.type, title: p.title }))} />}
    </div>
  );
}

function Inbox({ tenantId, initial }: { tenantId: string; initial: InboxView }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const key = notificationKeys.inbox(tenantId);
  const { data: inbox } = useQuery({ queryKey: key, queryFn: () => fetchInbox(tenantId), initialData: initial, refetchInterval: 15_000 });
  const read = useMutation({
    mutationFn: (body: { ids: number[] } | { all: true }) => postRead(tenantId, body),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: key });
      // The header's count is rendered by the server layout.
      router.refresh();
    },
  });
  return (
    <section aria-labelledby="inbox-title" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="inbox-title" className="text-lg font-semibold">
          Inbox <span className="text-sm font-normal text-slate-600" data-testid="inbox-unread">({inbox.unread} unread)</span>
        </h2>
        {inbox.unread > 0 && (
          <button type="button" className={secondaryButton} disabled={read.isPending} onClick={() => read.mutate({ all: true })}>
            Mark all as read
          </button>
        )}
      </div>
      {read.error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900">
          {read.error.message}
        </p>
      )}
      {inbox.items.length === 0 ? (
        <p className="text-sm text-slate-600">Nothing has happened yet that needs anyone. Events appear here as they happen.</p>
      ) : (
        <ul aria-label="Notifications" className="divide-y divide-slate-100">
          {inbox.items.map((item) => (
            <li key={item.id} data-testid="inbox-item" data-type={item.type} data-read={item.read ? "yes" : "no"} className="flex flex-wrap items-start justify-between gap-3 py-3">
              <div className="min-w-0 flex-1">
                <p className={item.read ? "text-slate-800" : "font-semibold text-slate-950"}>
                  {!item.read && <span className="sr-only">Unread: </span>}
                  {item.title}
                </p>
                <p className="text-sm text-slate-700">{item.body}</p>
                <p className="text-xs text-slate-600">
                  <LocalTime iso={item.occurredAt} />
                </p>
              </div>
              <div className="flex flex-wrap gap-2">
                {item.canAct && (
                  <Link href={item.action.path} className={secondaryButton}>
                    {item.action.label}
                  </Link>
                )}
                {!item.read && (
                  <button type="button" className={secondaryButton} disabled={read.isPending} onClick={() => read.mutate({ ids: [item.id] })} aria-label={`Mark “${item.title}” as read`}>
                    Mark as read
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function EmailPreferences({ tenantId, initial, emailConfigured }: { tenantId: string; initial: EmailPreference[]; emailConfigured: boolean }) {
  const [preferences, setPreferences] = useState(initial);
  const save = useMutation({
    mutationFn: (change: { type: EventType; email: boolean }) => putPreference(tenantId, change.type, change.email),
    onSuccess: (result) => setPreferences(result.preferences),
  });
  return (
    <section aria-labelledby="email-title" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="email-title" className="text-lg font-semibold">
        Email me about
      </h2>
      {!emailConfigured && (
        <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="email-not-configured">
          No email is sent: this deployment has no SMTP server configured (SMTP_URL). Events still appear in the inbox above and go to the
          webhook endpoints.
        </p>
      )}
      {preferences.length === 0 ? (
        <p className="text-sm text-slate-600" data-testid="no-email-kinds">
          Your role acts on none of these events, so it gets no email about them. They still appear in the inbox above.
        </p>
      ) : (
        <p className="text-sm text-slate-600">The kinds of event your role can act on. Your choices are yours alone and apply to this tenant.</p>
      )}
      <ul className="space-y-1 text-sm">
        {preferences.map((p) => (
          <li key={p.type}>
            <label className="flex items-center gap-2">
              <input type="checkbox" checked={p.email} disabled={save.isPending} onChange={(e) => save.mutate({ type: p.type, email: e.target.checked })} />
              {p.title}
            </label>
          </li>
        ))}
      </ul>
      {save.error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900">
          {save.error.message}
        </p>
      )}
    </section>
  );
}

function Endpoints({ tenantId, initial, types }: { tenantId: string; initial: EndpointItem[]; types: { type: EventType; title: string }[] }) {
  const queryClient = useQueryClient();
  const key = notificationKeys.endpoints(tenantId);
  const { data: endpoints } = useQuery({ queryKey: key, queryFn: async () => (await fetchEndpoints(tenantId)).endpoints, initialData: initial });
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [chosen, setChosen] = useState<EventType[]>([]);
  const [secret, setSecret] = useState<{ endpointUrl: string; secret: string } | null>(null);
  const create = useMutation({
    mutationFn: () => postEndpoint(tenantId, { url: url.trim(), description: description.trim() || undefined, eventTypes: chosen }),
    onSuccess: (result) => {
      setSecret({ endpointUrl: result.endpoint.url, secret: result.secret });
      setUrl("");
      setDescription("");
      setChosen([]);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: key }),
  });
  return (
    <section aria-labelledby="endpoints-title" className="space-y-4 rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="endpoints-title" className="text-lg font-semibold">
        Outbound webhooks
      </h2>
      <p className="text-sm text-slate-700">
        AWRA&apos;s own systems can be told by machine. Each delivery is a JSON POST signed by the Standard Webhooks scheme (headers webhook-id,
        webhook-timestamp, webhook-signature) with the endpoint&apos;s secret; a failed one is retried with backoff for about a day.
      </p>
      {secret && (
        <div role="status" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm" data-testid="endpoint-secret">
          <p className="font-medium">Signing secret for {secret.endpointUrl}. Copy it now: it is not shown again.</p>
          <code className="mt-1 block break-all font-mono">{secret.secret}</code>
          <button type="button" className={`${secondaryButton} mt-2`} onClick={() => setSecret(null)}>
            I have stored it
          </button>
        </div>
      )}
      <form
        className="grid gap-3 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <div>
          <label htmlFor="endpoint-url" className="block font-medium">
            Endpoint URL
          </label>
          <input id="endpoint-url" type="url" required value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://awra.example.com/hooks/quickbooks" className="mt-1 w-full max-w-xl rounded-md border border-slate-300 px-3 py-1.5" />
        </div>
        <div>
          <label htmlFor="endpoint-description" className="block font-medium">
            Description (optional)
          </label>
          <input id="endpoint-description" value={description} onChange={(e) => setDescription(e.target.value)} className="mt-1 w-full max-w-xl rounded-md border border-slate-300 px-3 py-1.5" />
        </div>
        <fieldset>
          <legend className="font-medium">Events (none chosen: every event)</legend>
          <div className="mt-1 grid gap-1 sm:grid-cols-2">
            {types.map((t) => (
              <label key={t.type} className="flex items-center gap-2">
                <input type="checkbox" checked={chosen.includes(t.type)} onChange={(e) => setChosen((c) => (e.target.checked ? [...c, t.type] : c.filter((x) => x !== t.type)))} />
                <span>
                  {t.title} <span className="font-mono text-xs text-slate-600">{t.type}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <div>
          <button type="submit" className={secondaryButton} disabled={create.isPending}>
            {create.isPending ? "Adding…" : "Add endpoint"}
          </button>
        </div>
        {create.error && (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-red-900">
            {create.error.message}
          </p>
        )}
      </form>
      {endpoints.length === 0 ? (
        <p className="text-sm text-slate-600">No endpoint yet.</p>
      ) : (
        <ul className="space-y-4" aria-label="Webhook endpoints">
          {endpoints.map((endpoint) => (
            <EndpointCard key={endpoint.id} tenantId={tenantId} endpoint={endpoint} onSecret={(s) => setSecret({ endpointUrl: endpoint.url, secret: s })} />
          ))}
        </ul>
      )}
    </section>
  );
}

function EndpointCard({ tenantId, endpoint, onSecret }: { tenantId: string; endpoint: EndpointItem; onSecret: (secret: string) => void }) {
  const queryClient = useQueryClient();
  const endpointsKey = notificationKeys.endpoints(tenantId);
  const logKey = notificationKeys.deliveries(tenantId, endpoint.id);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const { data: log } = useQuery({
    queryKey: logKey,
    queryFn: async () => (await fetchDeliveries(tenantId, endpoint.id)).deliveries,
    // A test or a retry lands within seconds: poll while the page is open.
    refetchInterval: 3_000,
  });
  const refresh = () => Promise.all([queryClient.invalidateQueries({ queryKey: endpointsKey }), queryClient.invalidateQueries({ queryKey: logKey })]);
  const test = useMutation({ mutationFn: () => postTest(tenantId, endpoint.id), onSettled: refresh });
  const toggle = useMutation({ mutationFn: () => patchEndpoint(tenantId, endpoint.id, { enabled: !endpoint.enabled }), onSettled: refresh });
  const rotate = useMutation({ mutationFn: () => postRotate(tenantId, endpoint.id), onSuccess: (r) => onSecret(r.secret), onSettled: refresh });
  const remove = useMutation({ mutationFn: () => deleteEndpoint(tenantId, endpoint.id), onSettled: refresh });
  const failure = test.error ?? toggle.error ?? rotate.error ?? remove.error;
  const busy = test.isPending || toggle.isPending || rotate.isPending || remove.isPending;
  return (
    <li className="space-y-2 rounded-md border border-slate-200 p-3" data-testid="endpoint" data-url={endpoint.url}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="min-w-0">
          <p className="break-all font-mono text-sm">{endpoint.url}</p>
          <p className="text-xs text-slate-600">
            {endpoint.enabled ? "Enabled" : "Disabled"} · {endpoint.eventTypes.length === 0 ? "every event" : endpoint.eventTypes.join(", ")}
            {endpoint.description ? ` · ${endpoint.description}` : ""}
            {endpoint.previousSecretUntil && (
              <>
                {" "}
                · the previous secret also signs until <LocalTime iso={endpoint.previousSecretUntil} />
              </>
            )}
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          <button type="button" className={secondaryButton} disabled={busy} onClick={() => test.mutate()}>
            Send test event
          </button>
          <button type="button" className={secondaryButton} disabled={busy} onClick={() => rotate.mutate()}>
            Rotate secret
          </button>
          <button type="button" className={secondaryButton} disabled={busy} onClick={() => toggle.mutate()}>
            {endpoint.enabled ? "Disable" : "Enable"}
          </button>
          {confirmDelete ? (
            <button type="button" className={`${secondaryButton} border-red-300 text-red-800`} disabled={busy} onClick={() => remove.mutate()}>
              Confirm delete
            </button>
          ) : (
            <button type="button" className={secondaryButton} disabled={busy} onClick={() => setConfirmDelete(true)}>
              Delete
            </button>
          )}
        </div>
      </div>
      {failure && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900">
          {failure.message}
        </p>
      )}
      <Table caption={`Delivery log of ${endpoint.url}`} framed={false}>
        <TableHead columns={["Time", "Event", "Attempt", "Result", { label: "HTTP", numeric: true }, { label: "Duration", numeric: true }]} dense nowrap />
        <TableBody>
          {(log ?? []).map((row) => (
            <tr key={`${row.deliveryId}:${row.attempt}`} data-testid="delivery-row" data-event={row.eventType} data-ok={row.ok ? "yes" : "no"} className="border-t border-slate-100">
              <td className="whitespace-nowrap px-2 py-1">
                <LocalTime iso={row.at} />
              </td>
              <td className="px-2 py-1 font-mono text-xs">{row.eventType}</td>
              <td className="px-2 py-1">{row.attempt}</td>
              <td className="px-2 py-1">
                {row.ok ? "Delivered" : row.status === "pending" ? "Failed, will retry" : "Failed"}
                {row.error && <span className="block text-xs text-slate-600">{row.error}</span>}
              </td>
              <td className="px-2 py-1 text-right">{row.httpStatus ?? "—"}</td>
              <td className="px-2 py-1 text-right">{row.durationMs} ms</td>
            </tr>
          ))}
        </TableBody>
      </Table>
      {log?.length === 0 && <p className="text-sm text-slate-600">Nothing sent yet. “Send test event” posts one now.</p>}
    </li>
  );
}
