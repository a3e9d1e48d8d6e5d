"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ConnectionStatusView } from "@/lib/quickbooks/get-connection-status";
import { LocalTime } from "@/components/ui/LocalTime";
import { fetchStatus, postVerify, STATUS_QUERY_KEY } from "./api";
import { ConnectButton } from "./ConnectButton";
import { StepPath } from "./StepPath";
import { SyncIndicator } from "./SyncIndicator";

export interface ConsolePermissions {
  connect: boolean;
  verify: boolean;
}

/** The four-step console: path, indicator, company, and the actions this role may take. Kept fresh by TanStack Query. */
export function ConnectionConsole({ initialStatus, permissions }: { initialStatus: ConnectionStatusView; permissions: ConsolePermissions }) {
  const queryClient = useQueryClient();
  const { data: status } = useQuery({
    queryKey: STATUS_QUERY_KEY,
    queryFn: fetchStatus,
    initialData: initialStatus,
    refetchInterval: 30_000,
  });
  const verify = useMutation({
    mutationFn: postVerify,
    onSettled: () => queryClient.invalidateQueries({ queryKey: STATUS_QUERY_KEY }),
  });

  const connection = status.connection;
  const connected = connection?.status === "active";
  const hasTokens = !!connection?.realmId && (connection.status === "active" || connection.status === "callback_received");

  return (
    <div className="space-y-6">
      <SyncIndicator indicator={status.indicator} reasons={status.reasons} />

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
            {connection.verifiedAt && (
              <>
                <dt className="text-slate-500">Last verified</dt>
                <dd>
                  <LocalTime iso={connection.verifiedAt} />
                </dd>
              </>
            )}
            {connection.accessTokenExpiresAt && (
              <>
                <dt className="text-slate-500">Access token expires</dt>
                <dd>
                  <LocalTime iso={connection.accessTokenExpiresAt} />
                </dd>
              </>
            )}
          </dl>
        ) : (
          <p className="mt-2 text-sm text-slate-600">No QuickBooks company is connected to this tenant yet.</p>
        )}

        <div className="mt-4 flex flex-wrap items-center gap-3">
          {/* Intuit's rule: once connected, hide Connect. */}
          {permissions.connect && !connected && <ConnectButton />}
          {permissions.verify && hasTokens && (
            <button
              type="button"
              onClick={() => verify.mutate()}
              disabled={verify.isPending}
              className="rounded-md border border-slate-300 bg-white px-4 py-2 font-medium hover:bg-slate-100 disabled:opacity-60"
            >
              {verify.isPending ? "Verifying…" : "Verify connection"}
            </button>
          )}
        </div>
        <div aria-live="polite" className="mt-3 text-sm">
          {verify.isSuccess && <p className="text-green-800">Verified: {verify.data.verified.companyName} answered.</p>}
          {verify.isError && <p className="text-red-800">Verify failed: {verify.error.message}</p>}
        </div>
      </section>
    </div>
  );
}
