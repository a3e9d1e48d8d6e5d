"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { apiFetch } from "@/components/api-client";
import { secondaryButton } from "@/components/ui/button";

/** "Retry" for dead-lettered webhook events: they go back to the processing queue with fresh attempts. */
export function RetryDeadEvents({ tenantId, count }: { tenantId: string; count: number }) {
  const router = useRouter();
  const retry = useMutation({
    mutationFn: () => apiFetch<{ requeued: number }>("/api/quickbooks/webhooks/retry", { method: "POST", tenantId }),
    onSuccess: () => router.refresh(),
  });
  return (
    <div className="flex flex-wrap items-center gap-3">
      <button
        type="button"
        onClick={() => retry.mutate()}
        disabled={retry.isPending || count === 0}
        className={secondaryButton}
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
