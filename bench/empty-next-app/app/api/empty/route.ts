// Empty route handlers: GET answers at once; POST reads the body first, as any handler that takes one must.
export const dynamic = "force-dynamic";

export function GET() {
  return Response.json({ ok: true });
}

export async function POST(request: Request) {
  const body = await request.arrayBuffer();
  return Response.json({ received: body.byteLength });
}
