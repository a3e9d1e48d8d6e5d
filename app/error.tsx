"use client";

// Shown in place of a page (or the console layout) whose server rendering failed. In production Next.js replaces the
// message with a generic one and keeps only the digest, so the digest says whether the database was out of reach
// (lib/errors.ts databaseUnavailable) or something else broke. Next answers such a page with HTTP 500: an error
// boundary cannot set 503 (only notFound/forbidden/unauthorized carry a status); the API answers 503 (lib/errors.ts).
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { ServiceProblem } from "@/components/ui/ServiceProblem";

export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const router = useRouter();
  const [retrying, startTransition] = useTransition();
  return (
    <ServiceProblem
      digest={error.digest}
      retrying={retrying}
      // The server must render again: reset() alone would only re-render what the browser already has.
      onRetry={() =>
        startTransition(() => {
          router.refresh();
          reset();
        })
      }
    />
  );
}
