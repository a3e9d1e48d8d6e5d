"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { ApiError } from "./api";

/** "Retry" for dead-lettered webhook events: they go back to the processing queue with fresh attempts. */
export function RetryDeadEvents({ count }: { count: number }) {
  const router = useRouter();
  const retry = useMutation({
    mutationFn: async () => {
      const response = await fetch("/api/quickbooks/webhooks/retry", { method: "POST", headers: { accept: "application/json" } });
      const body = await response.json().catch(() => null);
      if (!response.ok) throw new ApiError(body?.error?.code ?? "http_error", body?.error?.message ?? "Retry failed.");
      return body as { requeued: number };
    },
    onSuccess: () => router.refresh(),
  });
  return (
    <div className="flex flex-wrap items-center gap-3">
      <button
        type="button"
        onClick={() => retry.mutate()}
        disabled={retry.isPending || count === 0}
        className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100 disabled:opacity-60"
      >
        {retry.isPending ? "Retrying…" : "Retry"}
      </button>
      <span aria-live="polite" className="text-sm">
        {retry.isSuccess && `${retry.data.requeued} event(s) queued again.`}
        {retry.isError && <span className="text-red-800">{retry.error.message}</span>}
      </span>
    </div>
  );
}
