"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { ConnectionStatusView } from "@/lib/quickbooks/get-connection-status";
import type { ConnectionAction } from "@/lib/quickbooks/rules/connection-state";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { LocalTime } from "@/components/ui/LocalTime";
import { fetchStatus, postDisconnect, postRefresh, postTestWebhook, postVerify, statusQueryKey } from "./api";
import { ConnectButton } from "./ConnectButton";
import { StepPath } from "./StepPath";
import { SyncIndicator } from "./SyncIndicator";

export interface ConsolePermissions {
  /** Send a test webhook through the Intuit emulator (admins, in development or sandbox). */
  testWebhook: boolean;
  connect: boolean;
  verify: boolean;
  refresh: boolean;
  disconnect: boolean;
}

const secondaryButton = "rounded-md border border-slate-300 bg-white px-4 py-2 font-medium hover:bg-slate-100 disabled:opacity-60";

/** The four-step console: path, indicator, company, and the actions this role may take. Kept fresh by TanStack Query. */
export function ConnectionConsole({
  tenantId,
  initialStatus,
  permissions,
}: {
  tenantId: string;
  initialStatus: ConnectionStatusView;
  permissions: ConsolePermissions;
}) {
  const queryClient = useQueryClient();
  const queryKey = statusQueryKey(tenantId);
  const { data: status } = useQuery({
    queryKey,
    queryFn: () => fetchStatus(tenantId),
    initialData: initialStatus,
    refetchInterval: 30_000,
  });
  const refreshStatus = () => queryClient.invalidateQueries({ queryKey });
  // Each change names the tenant this page was rendered for: after a switch in another tab, it is refused, not redirected.
  const verify = useMutation({ mutationFn: () => postVerify(tenantId), onSettled: refreshStatus });
  const renew = useMutation({ mutationFn: () => postRefresh(tenantId), onSettled: refreshStatus });
  const disconnect = useMutation({ mutationFn: () => postDisconnect(tenantId), onSettled: refreshStatus });
  const [confirmingDisconnect, setConfirmingDisconnect] = useState(false);
  const testWebhook = useMutation({ mutationFn: () => postTestWebhook(tenantId), onSettled: refreshStatus });

  const connection = status.connection;
  // The state says what can be done (status.actions, lib/quickbooks/rules/connection-state.ts); the role, who may.
  const offers = (action: ConnectionAction, permitted: boolean) => permitted && status.actions.includes(action);
  const revocationFailed = status.actions.includes("retry_revocation");

  return (
    <div className="space-y-6">
      <SyncIndicator indicator={status.indicator} reasons={status.reasons} />

      {status.warnings.map((warning) => (
        <p key={warning} role="note" className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          {warning}
        </p>
      ))}

      <section aria-labelledby="path-title" className="space-y-3">
        <h2 id="path-title" className="text-lg font-semibold">
          Connection path
        </h2>
        <StepPath steps={status.steps} />
      </section>

      <section aria-labelledby="company-title" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="company-title" className="text-lg font-semibold">
          QuickBooks company
        </h2>
        {connection?.realmId ? (
          <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="text-slate-500">Company</dt>
            <dd data-testid="company-name">{connection.companyName ?? "Not verified yet"}</dd>
            <dt className="text-slate-500">Realm id</dt>
            <dd data-testid="realm-id" className="font-mono">
              {connection.realmId}
            </dd>
            <dt className="text-slate-500">Environment</dt>
            <dd>{connection.environment}</dd>
            <dt className="text-slate-500">Status</dt>
            <dd data-testid="connection-status">{connection.status.replaceAll("_", " ")}</dd>
            <TimeRow label="Last verified" iso={connection.verifiedAt} />
            <TimeRow label="Access token expires" iso={connection.accessTokenExpiresAt} testId="access-token-expires" />
            <TimeRow label="Refresh token expires" iso={connection.refreshTokenExpiresAt} />
          </dl>
        ) : connection?.pendingRealmId ? (
          <p className="mt-2 text-sm text-slate-700" data-testid="pending-realm">
            Company <span className="font-mono">{connection.pendingRealmId}</span> is waiting for QuickBooks to confirm it: click “Verify connection”.
          </p>
        ) : (
          <p className="mt-2 text-sm text-slate-600">No QuickBooks company is connected to this tenant yet.</p>
        )}

        {connection?.verifiedAt && (
          <p className="mt-3 text-sm">
            <a href="/api/quickbooks/verify-file" download className="font-medium text-blue-700 underline">
              Download company verify file
            </a>{" "}
            <span className="text-slate-500">(evidence of the last successful Verify, for security reviews)</span>
          </p>
        )}

        <div className="mt-4 flex flex-wrap items-center gap-3">
          {offers("connect", permissions.connect) && <ConnectButton tenantId={tenantId} />}
          {offers("verify", permissions.verify) && (
            <button type="button" onClick={() => verify.mutate()} disabled={verify.isPending} className={secondaryButton}>
              {verify.isPending ? "Verifying…" : "Verify connection"}
            </button>
          )}
          {offers("renew", permissions.refresh) && (
            <button type="button" onClick={() => renew.mutate()} disabled={renew.isPending} className={secondaryButton}>
              {renew.isPending ? "Renewing…" : "Renew token"}
            </button>
          )}
          {offers("disconnect", permissions.disconnect) && (
            <button
              type="button"
              onClick={() => setConfirmingDisconnect(true)}
              disabled={disconnect.isPending}
              className="rounded-md border border-red-300 bg-white px-4 py-2 font-medium text-red-800 hover:bg-red-50 disabled:opacity-60"
            >
              {disconnect.isPending ? "Disconnecting…" : "Disconnect"}
            </button>
          )}
        </div>

        <div aria-live="polite" className="mt-3 space-y-1 text-sm">
          {verify.isSuccess && <p className="text-green-800">Verified: {verify.data.verified.companyName} answered.</p>}
          {verify.isError && <p className="text-red-800">Verify failed: {verify.error.message}</p>}
          {renew.isSuccess && <p className="text-green-800">Token renewed.</p>}
          {renew.isError && <p className="text-red-800">Renewal failed: {renew.error.message}</p>}
          {disconnect.isSuccess && (
            <p className={disconnect.data.revocation.status === "failed" ? "text-amber-900" : "text-green-800"}>
              Disconnected. {disconnect.data.revocation.message}
            </p>
          )}
          {disconnect.isError && <p className="text-red-800">Disconnect failed: {disconnect.error.message}</p>}
        </div>

        {revocationFailed && (
          <div role="alert" className="mt-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
            <p>
              Revocation at Intuit failed{status.revocation?.attempts ? ` after ${status.revocation.attempts} attempt(s)` : ""}: {status.revocation?.message}
            </p>
            {offers("retry_revocation", permissions.disconnect) && (
              <button type="button" onClick={() => disconnect.mutate()} disabled={disconnect.isPending} className={`${secondaryButton} mt-2`}>
                Retry revocation
              </button>
            )}
          </div>
        )}
      </section>

      <section aria-labelledby="webhooks-title" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="webhooks-title" className="text-lg font-semibold">
          Webhooks, last 24 hours
        </h2>
        <dl className="mt-2 grid grid-cols-2 gap-3 text-sm sm:grid-cols-4" data-testid="webhook-health">
          <Figure label="Events received" value={String(status.webhooks.events24h)} />
          <Figure label="Delivery delay, median" value={formatDelay(status.webhooks.delayP50Ms)} />
          <Figure label="Delivery delay, 95th percentile" value={formatDelay(status.webhooks.delayP95Ms)} />
          <Figure label="Events that could not be processed" value={String(status.webhooks.deadLetters)} />
        </dl>
        {offers("send_test_webhook", permissions.testWebhook) && (
          <div className="mt-4 flex flex-wrap items-center gap-3">
            <button type="button" onClick={() => testWebhook.mutate()} disabled={testWebhook.isPending} className={secondaryButton}>
              {testWebhook.isPending ? "Sending…" : "Send test webhook"}
            </button>
            <span aria-live="polite" className="text-sm">
              {testWebhook.isSuccess &&
                (testWebhook.data.endpointStatus === 200 ? (
                  <span className="text-green-800">The Intuit emulator sent a signed test event; the endpoint answered 200 OK.</span>
                ) : (
                  <span className="text-red-800">The endpoint answered {testWebhook.data.endpointStatus}. See the webhook delivery log.</span>
                ))}
              {testWebhook.isError && <span className="text-red-800">{testWebhook.error.message}</span>}
            </span>
          </div>
        )}
      </section>

      <ConfirmDialog
        open={confirmingDisconnect}
        title="Disconnect QuickBooks?"
        confirmLabel="Disconnect"
        onCancel={() => setConfirmingDisconnect(false)}
        onConfirm={() => {
          setConfirmingDisconnect(false);
          disconnect.mutate();
        }}
      >
        The app&apos;s access is revoked at Intuit and the tokens are erased here. Syncing stops until someone connects again.
      </ConfirmDialog>
    </div>
  );
}

function TimeRow({ label, iso, testId }: { label: string; iso: string | null; testId?: string }) {
  if (!iso) return null;
  return (
    <>
      <dt className="text-slate-500">{label}</dt>
      <dd data-testid={testId}>
        <LocalTime iso={iso} />
      </dd>
    </>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt className="text-slate-500">{label}</dt>
      <dd className="text-lg font-semibold">{value}</dd>
    </div>
  );
}

function formatDelay(ms: number | null): string {
  if (ms === null) return "—";
  return ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}
