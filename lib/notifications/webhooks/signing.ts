import "server-only";
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";

// Outbound notification deliveries are signed by the Standard Webhooks specification (issue 18), with its maintained
// library, so that a receiver verifies them with the same library in its own language: `webhook-id`,
// `webhook-timestamp` (Unix seconds) and `webhook-signature` (HMAC-SHA256 of "id.timestamp.body", "v1,<base64>").

/** The headers a signed delivery carries. */
export interface SignedDeliveryHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
  [name: string]: string;
}

/** A new endpoint secret in the form the Standard Webhooks libraries take: "whsec_" + base64 of 24 random bytes. */
export function newEndpointSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

/**
 * The Standard Webhooks headers for one delivery of `body` (the exact bytes sent). Every secret signs: during a
 * rotation the new and the previous secret both do, space-separated as the specification allows, so the receiver
 * accepts the delivery whichever of the two it holds. Throws if no secret is given or one is malformed: a programming
 * or storage error, not a delivery problem.
 */
export function signDelivery(input: { secrets: string[]; id: string; timestamp: Date; body: string }): SignedDeliveryHeaders {
  if (input.secrets.length === 0) throw new Error("A delivery needs at least one endpoint secret to be signed with.");
  const signatures = new Set(input.secrets.map((secret) => new Webhook(secret).sign(input.id, input.timestamp, input.body)));
  return {
    "webhook-id": input.id,
    "webhook-timestamp": String(Math.floor(input.timestamp.getTime() / 1000)),
    "webhook-signature": [...signatures].join(" "),
  };
}
