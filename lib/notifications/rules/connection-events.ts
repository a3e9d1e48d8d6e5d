import type { EventType } from "../events";

// Which notification a connection's move sends (pure). One event per state change: a move within the same state
// never gets here (the state machine refuses it), and a connection that comes back after needing a reconnect says
// "recovered" once, not "connected".

export type ConnectionEventType = Extract<EventType, `connection.${string}`>;

/**
 * The event for a move to `to`, given the last connection event already sent for it (null: none ever), or null when
 * the move is not one people are told about (authorizing, a callback received, a claim dropped).
 */
export function connectionEventFor(to: string, lastSent: EventType | null): ConnectionEventType | null {
  if (to === "active") return lastSent === "connection.reauthorization_required" ? "connection.recovered" : lastSent === "connection.connected" || lastSent === "connection.recovered" ? null : "connection.connected";
  if (to === "reauthorization_required") return "connection.reauthorization_required";
  if (to === "disconnected") return "connection.disconnected";
  return null;
}
