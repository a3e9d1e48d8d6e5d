"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { connectGuide, type GuideSignal } from "@/lib/quickbooks/rules/connect-guide";
import type { ConnectionStatusView } from "@/lib/quickbooks/get-connection-status";
import { secondaryButton } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { Table, TableBody, TableHead } from "@/components/ui/Table";
import { connectHref, fetchStatus, postChecks, postDisconnect, postRefresh, postVerify, statusQueryKey } from "./api";
import { Checklist } from "./Checklist";
import { SyncIndicator } from "./SyncIndicator";

export interface ReadinessPermissions {
  rerun: boolean;
  connect: boolean;
  refresh: boolean;
  disconnect: boolean;
  manageCredentials: boolean;
}

type Progress = { step: string; state: "running" | "done" | "failed"; note?: string };

/** The readiness checklist, the indicator, "Re-run checks" with visible progress, and the live connect guide. */
export function ReadinessPanel({
  tenantId,
  initialStatus,
  permissions,
}: {
  tenantId: string;
  initialStatus: ConnectionStatusView;
  permissions: ReadinessPermissions;
}) {
  const queryClient = useQueryClient();
  const queryKey = statusQueryKey(tenantId);
  const { data: status } = useQuery({ queryKey, queryFn: () => fetchStatus(tenantId), initialData: initialStatus, refetchInterval: 30_000 });
  const [progress, setProgress] = useState<Progress[]>([]);
  const [running, setRunning] = useState(false);
  const [confirmRevoke, setConfirmRevoke] = useState(false);
  const refreshStatus = () => queryClient.invalidateQueries({ queryKey });
  const renew = useMutation({ mutationFn: () => postRefresh(tenantId), onSettled: refreshStatus });
  const revoke = useMutation({ mutationFn: () => postDisconnect(tenantId), onSettled: refreshStatus });

  const update = (step: string, state: Progress["state"], note?: string) =>
    setProgress((list) => [...list.filter((p) => p.step !== step), { step, state, note }]);

  /** Re-verifies against Intuit, one visible step at a time. */
  async function rerunChecks() {
    setRunning(true);
    setProgress([]);
    try {
      update("Fetch Intuit's discovery document", "running");
      const checked = await postChecks(tenantId);
      const oauth = checked.checklist.find((c) => c.name === "OAuth configuration is set");
      update("Fetch Intuit's discovery document", oauth?.passed ? "done" : "failed", oauth?.passed ? undefined : oauth?.evidence);
      const holdsTokens = checked.connection?.status === "active" || checked.connection?.status === "callback_received";
      if (holdsTokens) {
        update("Test API call (CompanyInfo)", "running");
        try {
          const { verified } = await postVerify(tenantId);
          update("Test API call (CompanyInfo)", "done", `${verified.companyName} answered.`);
        } catch (error) {
          update("Test API call (CompanyInfo)", "failed", error instanceof Error ? error.message : String(error));
        }
      } else {
        update("Test API call (CompanyInfo)", "failed", "Skipped: no connection holds tokens. Connect to QuickBooks first.");
      }
      update("Re-compute the checklist", "running");
      queryClient.setQueryData(queryKey, await fetchStatus(tenantId));
      update("Re-compute the checklist", "done");
    } catch (error) {
      update("Re-run checks", "failed", error instanceof Error ? error.message : String(error));
    } finally {
      setRunning(false);
    }
  }

  const guide = connectGuide(status);

  return (
    <div className="space-y-8">
      <SyncIndicator indicator={status.indicator} reasons={status.reasons} />

      <section aria-labelledby="checklist-title" className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 id="checklist-title" className="text-lg font-semibold">
            QuickBooks connect checklist
          </h2>
          {permissions.rerun && (
            <button type="button" onClick={rerunChecks} disabled={running} className={secondaryButton} aria-describedby="rerun-progress">
              {running ? "Checking…" : "Re-run checks"}
            </button>
          )}
        </div>
        <ol id="rerun-progress" aria-label="Check progress" aria-live="polite" className="space-y-1 text-sm">
          {progress.map((p) => (
            <li key={p.step} data-state={p.state}>
              <span aria-hidden="true">{p.state === "running" ? "⏳" : p.state === "done" ? "✓" : "✕"}</span> {p.step}
              {p.state === "running" ? "…" : p.state === "done" ? ": done" : ": failed"}
              {p.note && <span className="text-slate-600"> — {p.note}</span>}
            </li>
          ))}
        </ol>
        <Checklist items={status.checklist} />
      </section>

      <section aria-labelledby="guide-title" className="space-y-3">
        <h2 id="guide-title" className="text-lg font-semibold">
          QBO connect guide
        </h2>
        <Table caption="Connect guide: signals, checks and actions">
          <TableHead columns={["Signal", "Now", "Check", "Action"]} />
          <TableBody>
            {guide.map((signal) => (
              <tr key={signal.signal} data-signal={signal.signal} data-present={signal.present ? "yes" : "no"}>
                <th scope="row" className="px-3 py-2 align-top font-medium">
                  {signal.signal}
                </th>
                <td className="px-3 py-2 align-top">
                  <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${signal.present ? "bg-red-100 text-red-800" : "bg-green-100 text-green-800"}`}>
                    {signal.present ? "Present" : "Not present"}
                  </span>
                </td>
                <td className="px-3 py-2 align-top">
                  <p className="font-medium">{signal.check}</p>
                  <p className="text-slate-600">{signal.seen}</p>
                </td>
                <td className="px-3 py-2 align-top">
                  <GuideActionButton
                    tenantId={tenantId}
                    signal={signal}
                    permissions={permissions}
                    busy={running || renew.isPending || revoke.isPending}
                    onRenew={() => renew.mutate()}
                    onRevoke={() => setConfirmRevoke(true)}
                    onValidate={rerunChecks}
                  />
                </td>
              </tr>
            ))}
          </TableBody>
        </Table>
        <div aria-live="polite" className="text-sm">
          {renew.isSuccess && <p className="text-green-800">Token renewed.</p>}
          {renew.isError && <p className="text-red-800">Renewal failed: {renew.error.message}</p>}
          {revoke.isSuccess && <p className="text-green-800">Tokens revoked locally; the registry shows the connection as disconnected. {revoke.data.revocation.message}</p>}
          {revoke.isError && <p className="text-red-800">{revoke.error.message}</p>}
        </div>
      </section>

      <ConfirmDialog
        open={confirmRevoke}
        title="Revoke the tokens?"
        confirmLabel="Revoke tokens"
        onCancel={() => setConfirmRevoke(false)}
        onConfirm={() => {
          setConfirmRevoke(false);
          revoke.mutate();
        }}
      >
        The tokens are erased here and revoked at Intuit, and the connection is marked disconnected. Reconnect afterwards.
      </ConfirmDialog>
    </div>
  );
}

function GuideActionButton({
  tenantId,
  signal,
  permissions,
  busy,
  onRenew,
  onRevoke,
  onValidate,
}: {
  tenantId: string;
  signal: GuideSignal;
  permissions: ReadinessPermissions;
  busy: boolean;
  onRenew: () => void;
  onRevoke: () => void;
  onValidate: () => void;
}) {
  switch (signal.action) {
    case "reenter_credentials":
      return (
        <div className="flex flex-wrap gap-2">
          {permissions.manageCredentials && (
            <Link href="/integrations/quickbooks/settings" className={secondaryButton}>
              Re-enter API credentials
            </Link>
          )}
          {permissions.connect && (
            <a href={connectHref(tenantId)} className={secondaryButton}>
              Restart the connect flow
            </a>
          )}
          {!permissions.manageCredentials && !permissions.connect && <span className="text-slate-500">Ask an admin.</span>}
        </div>
      );
    case "renew_token":
      return permissions.refresh ? (
        <button type="button" onClick={onRenew} disabled={busy} className={secondaryButton}>
          {signal.actionLabel}
        </button>
      ) : (
        <span className="text-slate-500">Ask an accountant or admin.</span>
      );
    case "revoke_locally":
      return permissions.disconnect ? (
        <button type="button" onClick={onRevoke} disabled={busy} className={secondaryButton}>
          {signal.actionLabel}
        </button>
      ) : (
        <span className="text-slate-500">Ask an accountant or admin.</span>
      );
    case "validate_and_test":
      return permissions.rerun ? (
        <button type="button" onClick={onValidate} disabled={busy} className={secondaryButton}>
          {signal.actionLabel}
        </button>
      ) : (
        <span className="text-slate-500">Ask an accountant or admin.</span>
      );
  }
}
