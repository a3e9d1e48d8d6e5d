// GET/POST /api/auth/* – Auth.js sign-in, sign-out and session endpoints.
import type { NextRequest } from "next/server";
import { handlers } from "@/lib/auth/auth";
import { withoutInvalidCallbackUrl } from "@/lib/auth/auth-request";
import { hasUndecodablePath, undecodablePathResponse } from "@/lib/http/undecodable-path";

// A path that does not decode is bad input (400): Auth.js would report it as a server configuration error.
export const GET = (req: NextRequest) => (hasUndecodablePath(req.url) ? undecodablePathResponse() : handlers.GET(withoutInvalidCallbackUrl(req)));
export const POST = (req: NextRequest) => (hasUndecodablePath(req.url) ? undecodablePathResponse() : handlers.POST(withoutInvalidCallbackUrl(req)));
