"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { secondaryButton } from "@/components/ui/button";
import { LocalTime } from "@/components/ui/LocalTime";
import { Table, TableBody, TableHead } from "@/components/ui/Table";
import { fetchRun, fetchRuns, formatCount, isRunActive, ledgerKeys, postResume, postSync, type SyncRunView } from "./ledger-api";

/** How often a running sync is polled. */
export const SYNC_POLL_MS = 500;

const STATUS_LABEL: Record<SyncRunView["status"], string> = { queued: "Queued", running: "Running", succeeded: "Succeeded", failed: "Failed" };
const STATUS_STYLE: Record<SyncRunView["status"], string> = {
  queued: "bg-slate-100 text-slate-800",
  running: "bg-blue-100 text-blue-900",
  succeeded: "bg-green-100 text-green-900",
  failed: "bg-red-100 text-red-900",
};
const MODE_LABEL: Record<string, string> = { full: "Full", changes: "Changes only" };

function StatusBadge({ status }: { status: SyncRunView["status"] }) {
  return <span className={`rounded px-1.5 py-0.5 text-xs font-semibold ${STATUS_STYLE[status]}`}>{STATUS_LABEL[status]}</span>;
}

/**
 * "Run sync", the live progress of the current run (polled every half second until it ends), "Resume" for a failed
 * run, and the recent runs with their CSV export.
 */
export function SyncPanel({ tenantId, initialRuns, canRun }: { tenantId: string; initialRuns: SyncRunView[]; canRun: boolean }) {
  const queryClient = useQueryClient();
  const { data: runs } = useQuery({ queryKey: ledgerKeys.runs(tenantId), queryFn: async () => (await fetchRuns(tenantId)).runs, initialData: initialRuns });
  const [trackedId, setTrackedId] = useState<number | null>(null);
  const currentId = trackedId ?? runs[0]?.id ?? null;
  const fromList = runs.find((r) => r.id === currentId);

  const runKey = ledgerKeys.run(tenantId, currentId ?? 0);
  const { data: current } = useQuery({
    queryKey: runKey,
    queryFn: async () => {
      const before = queryClient.getQueryData<SyncRunView>(runKey);
      const { run } = await fetchRun(tenantId, currentId!);
      // The run just ended: the chart, the mappings' QuickBooks names and the run list changed. Read them again.
      if (before && isRunActive(before) && !isRunActive(run)) {
        void queryClient.invalidateQueries({ queryKey: ["ledger", tenantId], predicate: (q) => q.queryKey[2] !== "sync-run" });
      }
      return run;
    },
    enabled: currentId !== null,
    initialData: fromList,
    refetchInterval: (query) => (query.state.data && !isRunActive(query.state.data) ? false : SYNC_POLL_MS),
    staleTime: 0,
  });

  // A started or resumed run becomes the one shown and polled.
  const track = {
    onSuccess: ({ run }: { run: SyncRunView }) => {
      queryClient.setQueryData(ledgerKeys.run(tenantId, run.id), run);
      setTrackedId(run.id);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ledgerKeys.runs(tenantId) }),
  };
  const start = useMutation({ mutationFn: () => postSync(tenantId), ...track });
  const resume = useMutation({ mutationFn: (id: number) => postResume(tenantId, id), ...track });
  const failure = start.error ?? resume.error;
  const anyActive = (current && isRunActive(current)) || runs.some(isRunActive);

  return (
    <section aria-labelledby="sync-title" className="space-y-4 rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="sync-title" className="text-lg font-semibold">
          Sync
        </h2>
        <div className="flex flex-wrap items-center gap-3">
          {canRun && (
            <button type="button" className={secondaryButton} disabled={start.isPending || anyActive} onClick={() => start.mutate()}>
              {start.isPending ? "Starting…" : "Run sync"}
            </button>
          )}
          <a href="/api/quickbooks/sync/runs.csv" download className="text-sm text-blue-700 underline">
            Export CSV
          </a>
        </div>
      </div>
      <p className="text-sm text-slate-600">
        A sync brings the QuickBooks chart of accounts and its balances in: every account the first time, then only what changed since the last
        successful sync. A sync that stops part-way resumes where it stopped.
      </p>
      {failure && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900">
          {failure.message}
        </p>
      )}
      {current ? (
        <CurrentRun run={current} canResume={canRun && !runs.some((r) => r.id !== current.id && isRunActive(r))} resuming={resume.isPending} onResume={() => resume.mutate(current.id)} />
      ) : (
        <p className="text-sm text-slate-600">No sync has run yet.</p>
      )}
      <RecentRuns runs={runs} />
    </section>
  );
}

function CurrentRun({ run, canResume, resuming, onResume }: { run: SyncRunView; canResume: boolean; resuming: boolean; onResume: () => void }) {
  const labelId = useId();
  const total = run.total;
  const done = total === null ? null : Math.min(run.processed, total);
  const label =
    total === null
      ? run.status === "failed"
        ? `Stopped after ${formatCount(run.processed)} accounts`
        : run.status === "queued"
          ? "Waiting to start"
          : "Counting the QuickBooks accounts…"
      : `Synced ${formatCount(done!)} of ${formatCount(total)} accounts`;
  const percent = total ? Math.round((done! / total) * 100) : run.status === "succeeded" ? 100 : 0;

  return (
    <div data-testid="current-sync" data-status={run.status} className="space-y-3">
      <p className="text-sm">
        Run #{run.id} ({MODE_LABEL[run.mode] ?? run.mode}, {run.environment}): <StatusBadge status={run.status} />
        {run.finishedAt && (
          <>
            {" "}
            finished <LocalTime iso={run.finishedAt} />
          </>
        )}
      </p>
      <div>
        <p id={labelId} className="mb-1 text-sm font-medium">
          {label}
        </p>
        <div
          role="progressbar"
          aria-labelledby={labelId}
          aria-valuemin={0}
          aria-valuemax={total ?? undefined}
          aria-valuenow={done ?? undefined}
          aria-valuetext={label}
          className="h-3 w-full overflow-hidden rounded-full bg-slate-200"
        >
          <div
            className={`h-full rounded-full transition-[width] ${run.status === "failed" ? "bg-red-600" : run.status === "succeeded" ? "bg-green-600" : "bg-blue-600"}`}
            style={{ width: `${percent}%` }}
          />
        </div>
      </div>
      <dl className="grid grid-cols-3 gap-3 text-sm sm:max-w-md" aria-label="Sync counts">
        {[
          ["Processed", run.processed],
          ["Updated", run.updated],
          ["Errors", run.errors],
        ].map(([name, value]) => (
          <div key={name} className="rounded-md border border-slate-200 p-2">
            <dt className="text-xs uppercase tracking-wide text-slate-500">{name}</dt>
            <dd className="text-lg font-semibold tabular-nums" data-testid={`sync-${String(name).toLowerCase()}`}>
              {formatCount(Number(value))}
            </dd>
          </div>
        ))}
      </dl>
      {run.status === "failed" && (
        <div className="space-y-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-900">
          <p>{run.errorMessage ?? "The sync stopped."}</p>
          {canResume && (
            <button type="button" className={secondaryButton} disabled={resuming} onClick={onResume}>
              {resuming ? "Resuming…" : "Resume"}
            </button>
          )}
        </div>
      )}
      {run.status === "succeeded" && run.errors > 0 && (
        <p className="text-sm text-amber-900">
          {formatCount(run.errors)} account{run.errors === 1 ? "" : "s"} could not be read from QuickBooks and {run.errors === 1 ? "was" : "were"} skipped.
        </p>
      )}
    </div>
  );
}

function RecentRuns({ runs }: { runs: SyncRunView[] }) {
  if (runs.length === 0) return null;
  return (
    <Table caption="Recent sync runs" showCaption framed={false}>
      <TableHead dense nowrap columns={["Run", "Mode", "Status", "Requested", "Finished", "Accounts", "Updated", "Errors", "Note"]} />
      <TableBody>
        {runs.map((run) => (
          <tr key={run.id} data-testid="sync-run-row" data-status={run.status}>
            <th scope="row" className="px-2 py-1 font-normal">
              #{run.id}
            </th>
            <td className="px-2 py-1">{MODE_LABEL[run.mode] ?? run.mode}</td>
            <td className="px-2 py-1">
              <StatusBadge status={run.status} />
            </td>
            <td className="whitespace-nowrap px-2 py-1">
              <LocalTime iso={run.createdAt} />
            </td>
            <td className="whitespace-nowrap px-2 py-1">{run.finishedAt ? <LocalTime iso={run.finishedAt} /> : "—"}</td>
            <td className="px-2 py-1 tabular-nums">
              {formatCount(run.processed)}
              {run.total !== null && ` of ${formatCount(run.total)}`}
            </td>
            <td className="px-2 py-1 tabular-nums">{formatCount(run.updated)}</td>
            <td className="px-2 py-1 tabular-nums">{formatCount(run.errors)}</td>
            <td className="px-2 py-1 text-xs text-slate-700">{run.errorMessage ?? ""}</td>
          </tr>
        ))}
      </TableBody>
    </Table>
  );
}
