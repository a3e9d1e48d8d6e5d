"use client";

import { useSyncExternalStore } from "react";

const noop = () => () => {};

/** A timestamp in the viewer's time zone, with UTC on hover. The server renders UTC; the browser switches to local. */
export function LocalTime({ iso }: { iso: string }) {
  const inBrowser = useSyncExternalStore(noop, () => true, () => false);
  const date = new Date(iso);
  const utc = date.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  const local = inBrowser ? date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" }) : utc;
  return (
    <time dateTime={iso} title={utc}>
      {local}
    </time>
  );
}
