// Intuit's two ways of writing a time: an answer's `time` stamp in UTC, and the times inside its records (MetaData,
// CDC) in the company's own zone. Apart from the response builders, so the fixtures and the state can use them
// without depending on how answers are rendered.

/** An answer's `time`: ISO 8601 in UTC. */
export function intuitTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

const PACIFIC_OFFSET_MS = 7 * 60 * 60 * 1000;

/** Intuit's own rendering of times: whole seconds in the company's zone, e.g. "2015-12-23T12:55:50-07:00". */
export function intuitLocalTime(epochMs: number): string {
  return `${new Date(epochMs - PACIFIC_OFFSET_MS).toISOString().slice(0, 19)}-07:00`;
}
