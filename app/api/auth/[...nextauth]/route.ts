// GET/POST /api/auth/* – Auth.js sign-in, sign-out and session endpoints.
import type { NextRequest } from "next/server";
import { handlers } from "@/lib/auth/auth";
import { withoutInvalidCallbackUrl } from "@/lib/auth/auth-request";

export const GET = (req: NextRequest) => handlers.GET(withoutInvalidCallbackUrl(req));
export const POST = (req: NextRequest) => handlers.POST(withoutInvalidCallbackUrl(req));
