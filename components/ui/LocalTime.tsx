"use client";

/** A timestamp in the viewer's time zone, with UTC on hover. The server renders UTC; the browser re-renders local. */
export function LocalTime({ iso }: { iso: string }) {
  const date = new Date(iso);
  const utc = date.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  const local = typeof window === "undefined" ? utc : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  return (
    <time dateTime={iso} title={utc} suppressHydrationWarning>
      {local}
    </time>
  );
}
