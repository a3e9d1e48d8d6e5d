"use client";

// Replaces the root layout when the root layout itself fails, so it brings its own <html> and styles.
import { ServiceProblem } from "@/components/ui/ServiceProblem";
import "./globals.css";

export default function GlobalError({ error }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased">
        {/* A full reload: the root layout (and its providers) must be rendered afresh by the server. */}
        <ServiceProblem digest={error.digest} onRetry={() => window.location.reload()} />
      </body>
    </html>
  );
}
