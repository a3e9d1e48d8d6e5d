import { z } from "zod";
import { EVENT_TYPES, type EventType } from "./events";

// What the notification routes accept in their bodies.

export const markReadInput = z.union([
  z.object({ ids: z.array(z.number().int().positive()).min(1).max(500) }).strict(),
  z.object({ all: z.literal(true) }).strict(),
]);

export const preferenceInput = z.object({ eventType: z.string().min(1).max(100), email: z.boolean() }).strict();

export const endpointInput = z
  .object({
    url: z.string().trim().min(1).max(2000),
    description: z.string().trim().max(200).optional(),
    eventTypes: z.array(z.enum(EVENT_TYPES as [EventType, ...EventType[]])).max(EVENT_TYPES.length).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export const endpointPatch = endpointInput.partial();
